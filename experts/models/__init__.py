from experts.models.draws import (
    ConflictDeclaration,
    Draw,
    DrawBucket,
    DrawStatus,
    Rating,
    Selection,
    SelectionState,
)
from experts.models.pool import (
    ApplicationEvidence,
    Branch,
    Expert,
    ExpertApplication,
    ExpertSpecialty,
    Leave,
    Message,
    Penalty,
    Relationship,
    Specialty,
    SENIOR_TITLES,
    Title,
)

__all__ = [
    "Branch", "Specialty", "Title", "Expert", "ExpertSpecialty", "Relationship", "Penalty", "Leave",
    "ExpertApplication", "ApplicationEvidence", "Message", "SENIOR_TITLES",
    "Draw", "DrawStatus", "DrawBucket", "Selection", "SelectionState", "ConflictDeclaration", "Rating",
]
