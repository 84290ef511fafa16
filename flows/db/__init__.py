"""Persistence: one engine per process (a connection pool, not state) and short transactions."""
from flows.db.base import Base, UTCDateTime, utcnow
from flows.db.session import Database

__all__ = ["Base", "Database", "UTCDateTime", "utcnow"]
