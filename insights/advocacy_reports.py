"""HR reports in the Wagtail admin on advocacy: reach, and onboarding ↔ advocacy."""
