"""HR reports in the Wagtail admin on onboarding: pulse and knowledge checks."""
