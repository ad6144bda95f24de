from indices.models.national import NationalObservation
from indices.models.standard import Code, Codelist, StandardVersion
from indices.models.submissions import Finding, Submission, SubmissionRow

__all__ = [
    "Code",
    "Codelist",
    "Finding",
    "NationalObservation",
    "StandardVersion",
    "Submission",
    "SubmissionRow",
]
