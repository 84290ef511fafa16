"""`python -m bench`: how fast the app acknowledges Slack, beside a bare Bolt app on the same server stack.

Not a test: it measures and reports, it asserts nothing. See README.md, "Performance".
"""
