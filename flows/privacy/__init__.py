"""Keeping personal data out of everything the app stores or forwards (P1–P3, R1, S4): one guard for every free
text a person types. See guard.py for the field kinds and what each refuses."""
from flows.privacy.guard import FieldKind, Found, Guard, Verdict

__all__ = ["FieldKind", "Found", "Guard", "Verdict"]
