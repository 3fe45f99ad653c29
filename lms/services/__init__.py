"""Domain services: every rule of the LMS lives here, behind typed async functions.

Each function takes the caller's ``AsyncSession`` and only flushes; the caller owns the
transaction, so one REST request or socket event is one unit of work.
"""
