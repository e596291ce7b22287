import pytest
from django.core import mail

from casework.models import CaseEventKind, CaseKind, Message, MessageParty
from casework.services import case_create, message_send, messages_mark_read

pytestmark = pytest.mark.django_db


class TestMessageSend:
    def test_ombudsman_message_notifies_complainant_without_its_text(
        self, complainant, caseworker, django_capture_on_commit_callbacks
    ):
        case = case_create(kind=CaseKind.HEALTH, complainant=complainant)
        with django_capture_on_commit_callbacks(execute=True):
            message = message_send(
                case=case,
                author=caseworker,
                party=MessageParty.COMPLAINANT,
                body="Please send the discharge letter of 3 May.",
                from_ombudsman=True,
            )
        assert message.body == "Please send the discharge letter of 3 May."
        event = case.events.get(kind=CaseEventKind.MESSAGE_SENT)
        assert "body" not in event.payload and event.actor == caseworker
        assert len(mail.outbox) == 1
        email = mail.outbox[0]
        assert email.to == [complainant.email]
        assert case.reference in email.body
        assert "discharge letter" not in email.body + email.subject

    def test_complainant_message_sends_no_email_to_them(
        self, complainant, django_capture_on_commit_callbacks
    ):
        case = case_create(kind=CaseKind.HEALTH, complainant=complainant)
        with django_capture_on_commit_callbacks(execute=True):
            message_send(
                case=case,
                author=complainant,
                party=MessageParty.COMPLAINANT,
                body="Attached.",
                from_ombudsman=False,
            )
        assert mail.outbox == []

    @pytest.mark.parametrize(
        ("body", "error"),
        [("   ", "needs some text"), ("x" * 10_001, "10,000 characters or fewer")],
    )
    def test_empty_or_too_long_is_refused(self, complainant, body, error):
        case = case_create(kind=CaseKind.HEALTH, complainant=complainant)
        with pytest.raises(ValueError, match=error):
            message_send(
                case=case,
                author=complainant,
                party=MessageParty.COMPLAINANT,
                body=body,
                from_ombudsman=False,
            )
        assert not Message.objects.exists()

    def test_mark_read_marks_only_the_other_sides_messages(self, complainant, caseworker):
        case = case_create(kind=CaseKind.HEALTH, complainant=complainant)
        to_them = message_send(
            case=case,
            author=caseworker,
            party=MessageParty.COMPLAINANT,
            body="Hello",
            from_ombudsman=True,
        )
        from_them = message_send(
            case=case,
            author=complainant,
            party=MessageParty.COMPLAINANT,
            body="Hi",
            from_ombudsman=False,
        )
        assert (
            messages_mark_read(case=case, party=MessageParty.COMPLAINANT, reader_is_ombudsman=False)
            == 1
        )
        to_them.refresh_from_db()
        from_them.refresh_from_db()
        assert to_them.read_at is not None and from_them.read_at is None
