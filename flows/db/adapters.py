"""Tables an adapter keeps of its own (e.g. where a platform can reach a person) live on the domain's metadata, so
that migrations and erasure see them. Each adapter names its models module as an entry point of the package
(pyproject.toml), so flows/ names no adapter."""
from __future__ import annotations

from importlib.metadata import entry_points

GROUP = "group_policy_assistant.tables"


def load_adapter_tables() -> None:
    for entry in entry_points(group=GROUP):
        entry.load()
