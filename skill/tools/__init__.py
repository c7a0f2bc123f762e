"""The sciatica-skill command and its subcommands: chat, serve, check-content, write-model,
check-model, package (the Lambda zip leaves this room out), speak, review-pack, sign-off.
May import: every other room; nothing in skill/ imports tools.
"""
