"""What is kept about a user and where: the SQLite persistence adapter, DynamoDB when set, the
exam in progress, and the deployment settings (profiles) that decide whether anything is kept.
May import: skill.conversation, skill.content, ask_sdk_core's persistence interface.
"""
