"""Service-wide operations that belong to no single app."""

from django.db import transaction

from phso.notifications import greeting_name, notification_validate
from phso.tasks import send_notification


def notification_send(
    *, channel: str, to: str, template: str, personalisation: dict, reference: str
) -> None:
    """Queue an email or SMS to go once the current transaction commits.

    Checked now, so a caller putting case details into a message fails in its own request; sent
    after commit, so nobody is told about a change that was rolled back. robust=True: the change
    is already committed, and a broker outage must not turn it into an error page.

    A "name" is what someone typed about themselves, not something a caller chose to put in: one
    that is not only a name (digits, symbols, an address) greets them as "there" rather than
    failing the request.
    """
    if "name" in personalisation:
        personalisation = {**personalisation, "name": greeting_name(personalisation["name"])}
    notification_validate(
        channel=channel,
        to=to,
        template=template,
        personalisation=personalisation,
        reference=reference,
    )
    kwargs = {
        "channel": channel,
        "to": to,
        "template": template,
        "personalisation": dict(personalisation),
        "reference": reference,
    }
    transaction.on_commit(lambda: send_notification.apply_async(kwargs=kwargs), robust=True)
