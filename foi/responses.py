"""Standard wording for responses: the officer starts a draft from one and edits it.

Each template says what the law requires the response to say: whether the information is held
(FOIA s.1(1)(a)), the exemption and why (s.17(1)), the public interest reasons (s.17(3)), and the
right to an internal review and to complain to the Information Commissioner (s.17(7)).
"""

_REVIEW = (
    "If you are unhappy with this response you may ask for an internal review within 40 working "
    "days. If you are still unhappy after the review, you may complain to the Information "
    "Commissioner's Office (FOIA s.50)."
)

RESPONSE_TEMPLATES = {
    "granted": (
        "Information provided",
        "Dear {name},\n\nThank you for your request {reference}, received on {received}.\n\n"
        "We hold the information you asked for and it is set out below.\n\n[Information]\n\n"
        + _REVIEW,
    ),
    "partly_granted": (
        "Information partly provided",
        "Dear {name},\n\nThank you for your request {reference}, received on {received}.\n\n"
        "We hold the information you asked for. Some of it is set out below; the rest is withheld "
        "under the exemptions explained below (FOIA s.17(1)).\n\n[Information]\n\n"
        "[Exemptions and public interest test]\n\n" + _REVIEW,
    ),
    "refused": (
        "Information withheld",
        "Dear {name},\n\nThank you for your request {reference}, received on {received}.\n\n"
        "We hold the information but it is withheld under the exemptions explained below "
        "(FOIA s.17(1)).\n\n[Exemptions and public interest test]\n\n" + _REVIEW,
    ),
    "not_held": (
        "Information not held",
        "Dear {name},\n\nThank you for your request {reference}, received on {received}.\n\n"
        "We have searched [where] and do not hold the information you asked for "
        "(FOIA s.1(1)(a)).\n\n" + _REVIEW,
    ),
    "sar": (
        "Your personal data",
        "Dear {name},\n\nThank you for your subject access request {reference}.\n\n"
        "Your personal data is enclosed, with the purposes for which we hold it, who we share it "
        "with, how long we keep it and your rights (UK GDPR Art. 15).\n\n"
        "You may complain to the Information Commissioner's Office if you are unhappy with how we "
        "have handled your data.",
    ),
}

TEMPLATE_CHOICES = [(key, title) for key, (title, _) in RESPONSE_TEMPLATES.items()]


def response_draft_text(*, template: str, name: str, reference: str, received: str) -> str:
    _, body = RESPONSE_TEMPLATES[template]
    return body.format(name=name, reference=reference, received=received)
