"""Letters the checker writes for people to send: to the organisation, or to their MP.

Plain text with [square-bracketed] gaps for what the checker does not ask (name, address, what
happened), filled in with the answers it has. Nothing is stored: a letter is made again from the
session each time it is shown or downloaded.
"""

import io
import re
from dataclasses import dataclass
from datetime import date

from docx import Document

from complaints.checker import NHS_RESPONSE_MONTHS, TIME_LIMIT_MONTHS, Sector

# Characters that have no place in a letter and that XML (so .docx) cannot hold.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

_SENDER = """[Your full name]
[Your address, including your postcode]
[Your phone number or email address]

[Today's date]"""

_ENDING = """Yours sincerely,

[Your full name]"""

_WHAT_HAPPENED = """What happened
[Say what happened, when and where, and who was involved. Keep to the main points.]

How it affected me
[Say how it affected you, or the person you are complaining for.]

What I would like to happen
[For example, an explanation, an apology, or a change so that it does not happen to anyone else.]"""


@dataclass(frozen=True)
class Letter:
    title: str
    # The download's file name without extension: fixed text, never anything a person typed.
    filename: str
    text: str

    @property
    def paragraphs(self) -> list[str]:
        return self.text.split("\n\n")


def clean_text(text: str) -> str:
    """Text as someone typed it, with line endings made \\n and control characters removed."""
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n")).strip()


def long_date(day: date) -> str:
    """GOV.UK style: 3 March 2025."""
    return f"{day.day} {day:%B %Y}"


def complaint_letter(*, sector: Sector, organisation_name: str | None) -> Letter:
    """A first complaint to the organisation, under its complaints procedure."""
    if sector == Sector.HEALTH:
        recipient = organisation_name or "[Name of the hospital, GP practice or NHS service]"
        procedure = (
            "I am writing to make a complaint under the NHS complaints procedure (the Local "
            "Authority Social Services and National Health Service Complaints (England) "
            "Regulations 2009)."
        )
        ask = (
            "Please acknowledge my complaint within 3 working days, as the regulations require, "
            "and tell me how you will handle it and when I can expect your response."
        )
    else:
        recipient = organisation_name or "[Name of the government department or organisation]"
        procedure = "I am writing to make a complaint through your complaints procedure."
        ask = (
            "Please acknowledge my complaint, and tell me how you will handle it, when I can "
            "expect your response and what I can do if I am not happy with it."
        )
    text = "\n\n".join(
        [
            _SENDER,
            f"Complaints manager\n{recipient}\n[Its address]",
            "Dear complaints manager,",
            "Complaint about [say in a few words what your complaint is about]",
            procedure,
            _WHAT_HAPPENED,
            ask,
            _ENDING,
        ]
    )
    return Letter(title="Complaint letter", filename="complaint-letter", text=text)


def final_response_letter(*, sector: Sector, organisation_name: str | None) -> Letter:
    """Asking an organisation that has had a complaint for its final response."""
    recipient = organisation_name or "[Name of the organisation]"
    if sector == Sector.HEALTH:
        rule = (
            "The NHS complaints regulations (the Local Authority Social Services and National "
            "Health Service Complaints (England) Regulations 2009) say that you should send "
            f"your response within {NHS_RESPONSE_MONTHS} months of receiving a complaint, unless "
            "we agree a longer time, and tell me if it will take longer."
        )
        ask = (
            "Please tell me what is happening with my complaint and when I can expect your final "
            f"response. If I do not have it within {NHS_RESPONSE_MONTHS} months of my complaint, I "
            "may ask the "
            "Health Service Ombudsman to look at my complaint."
        )
    else:
        rule = (
            "I understand that your complaints procedure must be finished before I can take my "
            "complaint further."
        )
        ask = (
            "Please tell me what stage my complaint has reached, when I can expect your final "
            "response, and whether there is a further stage of your procedure, such as an "
            "independent complaints reviewer."
        )
    text = "\n\n".join(
        [
            _SENDER,
            f"Complaints manager\n{recipient}\n[Its address]",
            "Dear complaints manager,",
            "My complaint of [date you complained] – [your reference number, if you have one]",
            "I complained to you on [date you complained] about [say in a few words what your "
            "complaint is about]. I have not yet had your final response.",
            rule,
            ask,
            _ENDING,
        ]
    )
    return Letter(
        title="Letter asking for a final response", filename="final-response-letter", text=text
    )


def mp_referral_letter(
    *,
    organisation_name: str | None,
    mp_name: str | None,
    constituency_name: str | None,
    aware_on: date | None,
    late_reason: str | None,
) -> Letter:
    """Asking an MP to refer a complaint to the Parliamentary Ombudsman (1967 Act s.5(1))."""
    organisation = organisation_name or "[name of the government department or organisation]"
    mp = mp_name or "[Your MP's name]"
    where = "in your constituency" + (f", {constituency_name}" if constituency_name else "")
    found_out = (
        f"I first found out about the problem on {long_date(aware_on)}."
        if aware_on
        else "I first found out about the problem on [date]."
    )
    paragraphs = [
        _SENDER,
        f"{mp} MP\nHouse of Commons\nLondon\nSW1A 0AA",
        f"Dear {mp},",
        "Please refer my complaint to the Parliamentary Ombudsman",
        f"I live {where}. I am asking you to refer my complaint about {organisation} to the "
        "Parliamentary Ombudsman. The Parliamentary Commissioner Act 1967 (section 5) says that "
        "the Ombudsman can only look at a complaint about a UK government department or public "
        "body when an MP refers it.",
        f"I have complained to {organisation} and have had its final response, which I enclose. "
        + found_out,
    ]
    reason = clean_text(late_reason or "")
    if reason:
        paragraphs.append(
            f"This was more than {TIME_LIMIT_MONTHS} months ago. It took me longer to complain "
            f"because:\n{reason}"
        )
    paragraphs += [
        _WHAT_HAPPENED,
        "I give permission for you and your office to share this letter, the papers I enclose "
        "and my personal information with the Ombudsman, so that it can consider my complaint.",
        _ENDING,
    ]
    return Letter(
        title="Letter asking your MP to refer your complaint",
        filename="letter-to-your-mp",
        text="\n\n".join(paragraphs),
    )


def letter_docx(letter: Letter) -> bytes:
    """The letter as a Word document: one paragraph per block, line breaks kept."""
    document = Document()
    properties = document.core_properties
    properties.title = letter.title
    properties.author = properties.last_modified_by = ""
    properties.comments = properties.subject = properties.keywords = ""
    for block in clean_text(letter.text).split("\n\n"):
        paragraph = document.add_paragraph()
        for index, line in enumerate(block.split("\n")):
            if index:
                paragraph.add_run().add_break()
            paragraph.add_run(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
