"""R4's review reminder as Slack shows it: flows/removals/reviews.py finds what is due and for whom."""
from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from bot.blocks import escape
from bot.calls import enqueue
from flows.outbox import Notice
from flows.removals.service import LOCAL, SUBJECT, DecisionView, day_text, outbox_key


def remind(session: Session, decision: DecisionView, today: date, recipients: list[str]) -> list[Notice]:
    text = review_text(decision, today)
    return [
        enqueue(
            session, "chat.postMessage", {"channel": user_id, "text": text},
            dedupe_key=outbox_key(decision.id, "review", user_id), reference={"type": SUBJECT, "id": decision.id},
        )
        for user_id in recipients
    ]


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

