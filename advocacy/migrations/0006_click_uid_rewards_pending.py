"""Every click gets a unique id, so no way of storing it can store it twice,
and a flag for clicks whose points and milestones are still to be given.

Clicks stored before get a random id of their own.
"""

import uuid

from django.db import migrations, models

import advocacy.models


def uids_fill(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "UPDATE advocacy_click SET uid = gen_random_uuid() WHERE uid IS NULL"
        )
        return
    Click = apps.get_model("advocacy", "Click")
    while True:
        ids = list(
            Click.objects.filter(uid__isnull=True).values_list("pk", flat=True)[:2000]
        )
        if not ids:
            return
        Click.objects.bulk_update(
            [Click(pk=pk, uid=uuid.uuid4()) for pk in ids], ["uid"], batch_size=500
        )


class Migration(migrations.Migration):
    dependencies = [
        ("advocacy", "0005_share_key"),
    ]

    operations = [
        migrations.AddField(
            model_name="click",
            name="uid",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.RunPython(uids_fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="click",
            name="uid",
            field=models.UUIDField(
                default=advocacy.models.click_uid, editable=False, unique=True
            ),
        ),
        migrations.AddField(
            model_name="click",
            name="rewards_pending",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.AddIndex(
            model_name="click",
            index=models.Index(
                condition=models.Q(("rewards_pending", True)),
                fields=["id"],
                name="advocacy_click_pending_idx",
            ),
        ),
    ]
