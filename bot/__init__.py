"""Answers (platform-free) and the front ends that render them: command line, Slack, Teams."""
