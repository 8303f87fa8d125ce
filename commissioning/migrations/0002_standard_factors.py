from django.db import migrations


def load(apps, schema_editor):
    from commissioning.factors import ensure_standard_factors

    ensure_standard_factors(apps.get_model("commissioning", "Factor"))


def unload(apps, schema_editor):
    apps.get_model("commissioning", "Factor").objects.filter(key__isnull=False, assessments__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("commissioning", "0001_commissioning")]
    operations = [migrations.RunPython(load, unload)]
