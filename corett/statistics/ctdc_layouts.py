"""Generate case-level CSV files in CTDC's published layouts (for tests, benchmarks and the demo).

CTDC's terms forbid redistributing its files, so the project never ships one: it writes files
that follow each variant's exact layout (header line, separator, spelling of missing values,
country codes, flags) with invented cases. Layouts as recorded in
``shared/domain/ctdc-layouts.md``.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

TERMS = "By using this data you agree to the Terms of Use: https://www.ctdatacollaborative.org/terms-use"

V7_COLUMNS = ["yearOfRegistration", "Datasource", "gender", "ageBroad", "majorityStatus", "majorityStatusAtExploit", "majorityEntry", "citizenship", "meansOfControlDebtBondage", "meansOfControlTakesEarnings", "meansOfControlRestrictsFinancialAccess", "meansOfControlThreats", "meansOfControlPsychologicalAbuse", "meansOfControlPhysicalAbuse", "meansOfControlSexualAbuse", "meansOfControlFalsePromises", "meansOfControlPsychoactiveSubstances", "meansOfControlRestrictsMovement", "meansOfControlRestrictsMedicalCare", "meansOfControlExcessiveWorkingHours", "meansOfControlUsesChildren", "meansOfControlThreatOfLawEnforcement", "meansOfControlWithholdsNecessities", "meansOfControlWithholdsDocuments", "meansOfControlOther", "meansOfControlNotSpecified", "meansOfControlConcatenated", "isForcedLabour", "isSexualExploit", "isOtherExploit", "isSexAndLabour", "isForcedMarriage", "isForcedMilitary", "isOrganRemoval", "isSlaveryAndPractices", "typeOfExploitConcatenated", "typeOfLabourAgriculture", "typeOfLabourAquafarming", "typeOfLabourBegging", "typeOfLabourConstruction", "typeOfLabourDomesticWork", "typeOfLabourHospitality", "typeOfLabourIllicitActivities", "typeOfLabourManufacturing", "typeOfLabourMiningOrDrilling", "typeOfLabourPeddling", "typeOfLabourTransportation", "typeOfLabourOther", "typeOfLabourNotSpecified", "typeOfLabourConcatenated", "typeOfSexProstitution", "typeOfSexPornography", "typeOfSexRemoteInteractiveServices", "typeOfSexPrivateSexualServices", "typeOfSexConcatenated", "isAbduction", "RecruiterRelationship", "CountryOfExploitation", "recruiterRelationIntimatePartner", "recruiterRelationFriend", "recruiterRelationFamily", "recruiterRelationOther", "recruiterRelationUnknown"]

SYNTHETIC_COLUMNS = ["yearOfRegistration", "gender", "ageBroad", "citizenship", "CountryOfExploitation", "traffickMonths", "meansDebtBondageEarnings", "meansThreats", "meansAbusePsyPhySex", "meansFalsePromises", "meansDrugsAlcohol", "meansDenyBasicNeeds", "meansExcessiveWorkHours", "meansWithholdDocs", "isForcedLabour", "isSexualExploit", "isOtherExploit", "typeOfLabourAgriculture", "typeOfLabourConstruction", "typeOfLabourDomesticWork", "typeOfLabourHospitality", "typeOfSexProstitution", "typeOfSexPornography", "recruiterRelationIntimatePartner", "recruiterRelationFriend", "recruiterRelationFamily", "recruiterRelationOther"]

AGE_BANDS = ("0--8", "9--17", "18--20", "21--23", "24--26", "27--29", "30--38", "39--47", "48+")
# Countries of exploitation (alpha-2, alpha-3): the coalition, its neighbours, and Namibia ("NA").
COUNTRIES = (("GT", "GTM"), ("HN", "HND"), ("SV", "SLV"), ("MX", "MEX"), ("CR", "CRI"), ("PA", "PAN"),
             ("DO", "DOM"), ("NI", "NIC"), ("BZ", "BLZ"), ("US", "USA"), ("CO", "COL"), ("NA", "NAM"))

VARIANTS = ("global-2020", "k-anonymised-2021", "synthetic-2024")


def _case(rng: random.Random, years: tuple[int, int]) -> dict:
    exploitation = rng.choice(COUNTRIES)
    citizenship = rng.choice(COUNTRIES)
    sexual = rng.random() < 0.55
    labour = not sexual or rng.random() < 0.1
    return {
        "year": rng.randint(*years),
        "female": rng.random() < 0.7,
        "band": rng.choice(AGE_BANDS),
        "exploitation": exploitation,
        "citizenship": citizenship,
        "sexual": sexual,
        "labour": labour,
        "other": rng.random() < 0.05,
    }


def rows(variant: str, count: int, *, seed: int = 4, years: tuple[int, int] = (2015, 2020)) -> Iterator[str]:
    """The lines of a file of ``variant`` with ``count`` invented cases (header first)."""
    rng = random.Random(seed)  # noqa: S311 (invented test cases, not secrets)
    if variant == "global-2020":
        yield f"{TERMS}," + ",".join(V7_COLUMNS)
        for _ in range(count):
            c = _case(rng, years)
            minor = c["band"] in ("0--8", "9--17")
            values = dict.fromkeys(V7_COLUMNS, "-99")
            values.update({
                "yearOfRegistration": str(c["year"]), "Datasource": "Case Management",
                "gender": "Female" if c["female"] else "Male", "ageBroad": c["band"],
                "majorityStatus": "Minor" if minor else "Adult",
                "citizenship": c["citizenship"][0], "CountryOfExploitation": c["exploitation"][0],
                "isForcedLabour": str(int(c["labour"])), "isSexualExploit": str(int(c["sexual"])),
                "isOtherExploit": str(int(c["other"])),
                "typeOfExploitConcatenated": "Sexual exploitation" if c["sexual"] else "Forced labour",
                "meansOfControlConcatenated": "Debt bondage;Psychological abuse",
                "RecruiterRelationship": "Not Specified",
            })
            yield "," + ",".join(values[name] for name in V7_COLUMNS)
    elif variant == "k-anonymised-2021":
        yield f"{TERMS};" + ";".join(V7_COLUMNS)
        for _ in range(count):
            c = _case(rng, years)
            values = dict.fromkeys(V7_COLUMNS, "")
            values.update({
                # k-anonymisation blanks the year of some cases
                "yearOfRegistration": "" if rng.random() < 0.02 else str(c["year"]),
                "Datasource": "Case Management", "gender": "Female" if c["female"] else "Male",
                "ageBroad": c["band"], "majorityStatus": "Minor" if c["band"] in ("0--8", "9--17") else "Adult",
                "citizenship": c["citizenship"][0], "CountryOfExploitation": c["exploitation"][0],
                "isForcedLabour": str(int(c["labour"])), "isSexualExploit": str(int(c["sexual"])),
                "isOtherExploit": "", "meansOfControlNotSpecified": "1",
                "recruiterRelationFriend": "0", "recruiterRelationFamily": "0",
                "recruiterRelationIntimatePartner": "0", "recruiterRelationOther": "0",
                "recruiterRelationUnknown": "1",
            })
            yield ";" + ";".join(values[name] for name in V7_COLUMNS)
    elif variant == "synthetic-2024":
        yield ",".join(SYNTHETIC_COLUMNS)
        for _ in range(count):
            c = _case(rng, years)
            values = dict.fromkeys(SYNTHETIC_COLUMNS, "")
            values.update({
                "yearOfRegistration": str(c["year"]), "gender": "Woman" if c["female"] else "Man",
                "ageBroad": c["band"], "citizenship": c["citizenship"][1],
                "CountryOfExploitation": c["exploitation"][1], "traffickMonths": "0--12 (0-1 yr)",
                "isForcedLabour": "1" if c["labour"] else "NULL", "isSexualExploit": "1" if c["sexual"] else "NULL",
                "isOtherExploit": "1" if c["other"] else "NULL",
            })
            yield ",".join(values[name] for name in SYNTHETIC_COLUMNS)
    else:
        raise ValueError(variant)


def write(path: Path, variant: str, count: int, *, seed: int = 4, crlf: bool = False, bom: bool = False,
          years: tuple[int, int] = (2015, 2020)) -> Path:
    ending = "\r\n" if crlf else "\n"
    text = ending.join(rows(variant, count, seed=seed, years=years))
    if variant != "k-anonymised-2021":  # the 2021 file has no newline after its last line
        text += ending
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path
