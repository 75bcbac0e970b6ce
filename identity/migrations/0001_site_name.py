from django.db import migrations


def name_site(apps, schema_editor):
    """Emails say "Cimientos", not Django's placeholder "example.com"."""
    Site = apps.get_model("sites", "Site")
    Site.objects.update_or_create(
        pk=1, defaults={"name": "Cimientos", "domain": "127.0.0.1:8000"}
    )


class Migration(migrations.Migration):
    dependencies = [("sites", "0002_alter_domain_unique")]

    operations = [migrations.RunPython(name_site, migrations.RunPython.noop)]
