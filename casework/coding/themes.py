"""Complaint themes: what went wrong, as a second axis beside what the patient had.

A missed diagnosis is not an ICD-10 code, it is a complaint about diagnosis; these phrase rules
tag the passages a caseworker's findings are likely to rest on. Phrases are matched
case-insensitively as whole tokens, with their inflections listed, because a blank pipeline has
no lemmatiser.
"""

THEME_LABELS = {
    "diagnosis": "Diagnosis and assessment",
    "treatment": "Clinical treatment",
    "medication": "Medication",
    "discharge": "Discharge and transfer",
    "communication": "Communication",
    "consent": "Consent",
    "dignity": "Dignity and respect",
    "complaint_handling": "Complaint handling",
    "waiting_times": "Waiting times and delays",
    "staff_attitude": "Staff attitude",
    "safeguarding": "Safeguarding",
    "end_of_life_care": "End of life care",
    "nursing_care": "Nursing care, nutrition and hydration",
    "records": "Record keeping",
}

THEME_PHRASES: dict[str, list[str]] = {
    "diagnosis": [
        "missed diagnosis", "misdiagnosis", "misdiagnosed", "wrong diagnosis", "late diagnosis",
        "delayed diagnosis", "delay in diagnosis", "failed to diagnose", "failure to diagnose",
        "did not diagnose", "didn't diagnose", "was not diagnosed", "wasn't diagnosed",
        "not diagnosed", "missed the signs", "missed signs", "failed to recognise",
        "failed to recognize", "failure to recognise", "not recognised", "was missed",
        "were missed", "not picked up", "wasn't picked up", "failed to spot", "not spotted",
        "failed to investigate", "not investigated", "no scan", "not examined",
        "not properly examined", "inadequate assessment", "failed to assess", "not assessed",
        "should have been diagnosed", "missed fracture", "missed the fracture",
    ],
    "treatment": [
        "failed to treat", "failure to treat", "not treated", "wasn't treated",
        "delay in treatment",
        "delayed treatment", "wrong treatment", "inappropriate treatment", "poor treatment",
        "substandard care", "poor care", "poor clinical care", "botched", "surgical error",
        "operation went wrong", "failed to escalate", "not escalated", "failure to escalate",
        "not referred", "failed to refer", "no referral", "treatment plan",
    ],
    "medication": [
        "medication error", "medication errors", "wrong medication", "wrong dose", "wrong drug",
        "overdose", "missed dose", "missed doses", "medication was not given",
        "not given her medication", "not given his medication", "prescribing error",
        "prescription error", "wrongly prescribed", "incorrectly prescribed",
        "not prescribed", "medication", "medications", "antibiotics were not given",
        "no antibiotics", "insulin", "pain relief", "painkillers", "drug chart",
    ],
    "discharge": [
        "discharged too early", "discharged too soon", "premature discharge", "unsafe discharge",
        "discharge", "discharged", "sent home", "discharge letter", "discharge summary",
        "care package", "readmitted", "re-admitted", "transfer", "transferred",
        "discharge planning",
    ],
    "communication": [
        "not told", "wasn't told", "weren't told", "were never told", "nobody told",
        "no one told", "not informed", "not kept informed", "kept in the dark",
        "poor communication", "lack of communication", "communication", "did not explain",
        "didn't explain", "not explained", "no explanation", "conflicting information",
        "did not listen", "didn't listen", "would not listen", "not listened to",
        "ignored our concerns", "ignored my concerns", "interpreter", "no phone call",
        "did not call", "did not contact",
    ],
    "consent": [
        "consent", "consented", "without consent", "without my consent", "did not consent",
        "not consented", "informed consent", "consent form", "best interests",
        "mental capacity", "capacity assessment", "lasting power of attorney",
        "power of attorney", "DNACPR", "do not resuscitate", "DNR",
    ],
    "dignity": [
        "dignity", "undignified", "left in soiled", "left soiled", "soiled bedding",
        "left naked", "left lying", "left in pain", "humiliated", "humiliating", "degrading",
        "privacy", "no privacy", "disrespectful", "not treated with respect", "respect",
        "left on a trolley", "left in a corridor",
    ],
    "complaint_handling": [
        "complaint response", "response to my complaint", "response to our complaint",
        "complaints process", "complaint handling", "handled my complaint",
        "handled our complaint", "local resolution", "PALS", "did not respond to my complaint",
        "no response to my complaint", "complaint was not", "investigation into my complaint",
        "complaint letter", "final response", "apology", "no apology", "did not apologise",
        "failed to respond", "took months to respond",
    ],
    "waiting_times": [
        "waited", "waiting", "waiting list", "waiting time", "waiting times", "long wait",
        "delay", "delays", "delayed", "cancelled", "postponed", "hours in A&E", "hours in A & E",
        "ambulance took", "waited hours", "waited for hours", "referral to treatment",
        "18 weeks", "two week wait", "2 week wait", "appointment was cancelled",
        "operation was cancelled", "still waiting",
    ],
    "staff_attitude": [
        "rude", "rudeness", "dismissive", "uncaring", "unprofessional", "arrogant",
        "attitude", "shouted at", "laughed at", "patronising", "patronizing", "abrupt",
        "unkind", "lack of compassion", "no compassion", "unhelpful", "belittled",
        "did not care", "didn't care",
    ],
    "safeguarding": [
        "safeguarding", "safeguarding concern", "safeguarding referral", "abuse", "abused",
        "neglect", "neglected", "neglectful", "vulnerable adult", "restraint", "restrained",
        "deprivation of liberty", "DoLS", "domestic abuse", "child protection",
    ],
    "end_of_life_care": [
        "end of life", "end-of-life", "end of life care", "palliative", "palliative care",
        "dying", "last days", "final days", "died", "death", "hospice", "syringe driver",
        "end of her life", "end of his life", "passed away", "pass away", "comfort care",
        "advance care plan", "ReSPECT form",
    ],
    "nursing_care": [
        "nursing care", "not fed", "not given food", "not given water", "not given anything to eat",
        "not given anything to drink", "food and drink", "fluids", "fluid chart",
        "food chart", "nutrition", "hydration", "repositioned", "not turned", "turning chart",
        "call bell", "continence care", "personal care", "left without water",
        "pressure area care", "falls assessment", "bed rails", "not washed",
    ],
    "records": [
        "records", "medical records", "notes", "record keeping", "not recorded",
        "not documented", "no record", "inaccurate records", "records were altered",
        "altered the records", "missing records", "missing notes",
    ],
}  # fmt: skip
