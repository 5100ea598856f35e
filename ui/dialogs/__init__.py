"""Dialogs: the consent and lawful-basis helper (more to come: sign, return with reasons, settings)."""
