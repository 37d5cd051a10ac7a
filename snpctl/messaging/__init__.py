"""Sending: render a queued message from its template and the private store, and hand it over.

Every message is written to the outbox folder (so a person can see what was sent), then sent
by SMS (the configured command) or secure mail (SMTP with STARTTLS) when its channel says so.
"""
