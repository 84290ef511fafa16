"""What waits too long is escalated to the managers: permanent removals waiting for a staff moderator's agreement
or a senior manager's sign-off (R2), and reports of unofficial groups nobody has taken on or finished (U2)."""
