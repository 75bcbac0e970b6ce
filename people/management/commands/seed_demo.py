from django.conf import settings
from django.core.management.base import BaseCommand

from advocacy.demo import advocacy_demo_seed
from identity.demo import identity_demo_seed
from onboarding.demo import onboarding_demo_seed
from people.demo import DEMO_PASSWORD, demo_seed


class Command(BaseCommand):
    help = "Create or refresh the demo organisation (safe to run repeatedly)."

    def handle(self, *args, **options) -> None:
        sign_ins = demo_seed()
        identity_demo_seed()
        onboarding_demo_seed()
        advocacy_demo_seed()
        self.stdout.write(self.style.SUCCESS("Demo organisation ready: Grupo Brisa."))
        if not getattr(settings, "SHOW_DEMO_PASSWORDS", False):
            return
        self.stdout.write("")
        self.stdout.write("Demo sign-ins at http://127.0.0.1:8000/accounts/login/")
        for sign_in in sign_ins:
            line = f"  {sign_in.role:<25} {sign_in.email:<34} {DEMO_PASSWORD}"
            self.stdout.write(line)
        self.stdout.write(
            "Admin roles are asked to set up an authenticator app (TOTP) before "
            "/admin/. Emails are printed to this console."
        )
