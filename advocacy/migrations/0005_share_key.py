"""One share per person, post, network and day (or per milestone prompt).

Earlier shares get their key too, except later repeats on the same day, which
stay as they were (no key): nothing stored is deleted.
"""

from django.db import migrations, models
from django.utils import timezone


def keys_fill(apps, schema_editor):
    Share = apps.get_model("advocacy", "Share")
    taken = set()
    changed = []
    shares = (
        Share.objects.filter(post__milestone_template=False)
        .order_by("pk")
        .only("pk", "employee_id", "post_id", "network", "created_at")
    )
    for share in shares.iterator(chunk_size=2000):
        day = timezone.localtime(share.created_at).date()
        key = f"{share.employee_id}:{share.post_id}:{share.network}:{day:%Y%m%d}"
        if key in taken:
            continue
        taken.add(key)
        share.key = key
        changed.append(share)
    Share.objects.bulk_update(changed, ["key"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("advocacy", "0004_click_real_visits_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="share",
            name="key",
            field=models.CharField(
                blank=True, editable=False, max_length=64, null=True, unique=True
            ),
        ),
        migrations.RunPython(keys_fill, migrations.RunPython.noop),
    ]
