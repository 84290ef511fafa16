"""Moderators after registration: M8 confirmations, M10 emergency contact, A3 circulation and M9 check-ins."""
from flows.moderation.queries import (
    GroupState,
    Intervals,
    PendingCheckin,
    PendingCirculation,
    PendingConfirmation,
    Standing,
    checkins_to_answer,
    circulations_to_record,
    confirmations_to_give,
    group_state,
    groups_needing_attention,
    my_groups,
)
from flows.moderation.service import Action, Answer, ModerationService, AnswerOutcome

__all__ = [
    "Action", "Answer", "GroupState", "Intervals", "ModerationService", "AnswerOutcome", "PendingCheckin",
    "PendingCirculation", "PendingConfirmation", "Standing", "checkins_to_answer", "circulations_to_record",
    "confirmations_to_give", "group_state", "groups_needing_attention", "my_groups",
]
