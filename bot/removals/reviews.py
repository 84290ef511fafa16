"""R4's review reminder as Slack shows it: flows/removals/reviews.py finds what is due and tells whom."""
from __future__ import annotations

from datetime import date

from bot.blocks import escape
from flows.removals.service import LOCAL, DecisionView, day_text


def review_text(d: DecisionView, today: date) -> str:
    due = "today" if d.review_on == today else f"on {day_text(d.review_on)}"
    lines = [
        f":calendar: *Review due {due} (R4):* temporary removal #{d.id} from *{escape(d.group_name)}*.",
        f"*Review whether {escape(d.member_ref)} can rejoin.*",
        f"• Logged by <@{d.logged_by}> on {day_text(d.logged_at.astimezone(LOCAL).date())}",
        f"• Agreement breached: {escape('; '.join(d.breach_labels))}",
        f"• Tried first: {escape('; '.join(d.tried_labels)) if d.tried_first else 'nothing recorded'}",
    ]
    if d.notes:
        lines.append(f"• Notes: {escape(d.notes)}")
    lines.append(
        f"Talk it over with the group's other moderators. If {escape(d.member_ref)} should not come back yet, or at "
        "all, log a new decision with /log-removal (this one stays as it was, R5)."
    )
    return "\n".join(lines)

