"""The specialty tree the issue asks for, seeded once; the trading centre maintains it from then on."""

from django.db import migrations

TREE = [
    ("JS", "技术类", "technical", [
        ("FJ", "房屋建筑", [("FJ01", "土建"), ("FJ02", "建筑安装"), ("FJ03", "装饰装修")]),
        ("SZ", "市政工程", [("SZ01", "道路"), ("SZ02", "桥梁"), ("SZ03", "给排水")]),
        ("SL", "水利水电", [("SL01", "水工建筑"), ("SL02", "河道整治")]),
        ("GL", "公路", []),
        ("GK", "港口与航道", []),
        ("YL", "园林绿化", []),
        ("DL", "电力", []),
        ("TX", "通信", []),
        ("BP", "爆破与拆除", []),
        ("GF", "管理与服务", []),
        ("CS", "材料设备", []),
    ]),
    ("JJ", "经济类", "economic", [
        ("ZJ", "造价", []),
        ("CW", "财务", []),
        ("FL", "法律", []),
    ]),
]


def seed(apps, schema_editor):
    Specialty = apps.get_model("experts", "Specialty")
    for code, name, branch, children in TREE:
        root, _ = Specialty.objects.get_or_create(code=code, defaults={"name": name, "branch": branch})
        for ccode, cname, grandchildren in children:
            child, _ = Specialty.objects.get_or_create(code=ccode, defaults={"name": cname, "branch": branch,
                                                                             "parent": root})
            for gcode, gname in grandchildren:
                Specialty.objects.get_or_create(code=gcode, defaults={"name": gname, "branch": branch,
                                                                      "parent": child})


class Migration(migrations.Migration):
    dependencies = [("experts", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
