"""Where the app can reach people and channels in Teams: the conversation references Teams hands the bot when it is
installed for someone, added to a team, or written to. A proactive message (a sign-off request, a notice) needs one:
Teams lets a bot open a 1:1 chat only with someone who has the app, at the service URL their tenant is served from.

Nothing personal: Teams' own ids and addresses only; the person is the app's person id."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from flows.db.base import Base, UTCDateTime, utcnow


class TeamsConversation(Base):
    __tablename__ = "teams_conversations"

    # The conversation's own id: "a:..." for a 1:1 chat, "19:...@thread.tacv2" for a channel.
    conversation_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    # "personal" or "channel" (group chats are not used: the app talks 1:1 or in the approvals channel).
    conversation_type: Mapped[str] = mapped_column(String(16))
    service_url: Mapped[str] = mapped_column(String(300))
    tenant_id: Mapped[str | None] = mapped_column(String(64))
    # For a 1:1 chat: whose it is (the app's person id) and their Teams user id ("29:..."), which opening the chat
    # again needs. One 1:1 chat per person.
    person_id: Mapped[str | None] = mapped_column(String(32), unique=True)
    teams_user_id: Mapped[str | None] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
