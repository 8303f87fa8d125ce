from django.db import migrations


def load(apps, schema_editor):
    from commissioning.factors import STANDARD_FACTORS

    Factor = apps.get_model("commissioning", "Factor")
    for order, (key, kind, title, guidance) in enumerate(STANDARD_FACTORS, start=1):
        Factor.objects.update_or_create(key=key, defaults={"kind": kind, "title": title, "guidance": guidance, "order": order})


def unload(apps, schema_editor):
    apps.get_model("commissioning", "Factor").objects.filter(key__isnull=False, assessments__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("commissioning", "0001_commissioning")]
    operations = [migrations.RunPython(load, unload)]
