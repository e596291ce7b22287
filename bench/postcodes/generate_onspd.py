"""Generate an ONSPD-shaped CSV (the ONS Postcode Directory's UK file) for benchmarks.

Deterministic for a given --seed and --rows: the same file every time. Columns, ordering and value
shapes follow a 2025 ONSPD release: unique postcodes in pcd7/pcd8/pcds forms, about a third of them
terminated (doterm YYYYMM), about 1% without a grid reference (empty east1m/north1m, lat 99.999999,
long 0.000000), and nine-character ONS codes for every geography.

    python bench/postcodes/generate_onspd.py --rows 2700000 \\
        --out var/bench/ONSPD_BENCH_UK.csv [--zip]
"""

import argparse
import math
import random
import sys
import zipfile
from pathlib import Path

HEADER = (
    "pcd7,pcd8,pcds,dointr,doterm,usrtypind,east1m,north1m,gridind,oa21cd,cty25cd,ced25cd,lad25cd,"
    "wd25cd,nhser24cd,ctry25cd,rgn25cd,pcon24cd,ttwa15cd,itl25cd,npark16cd,lsoa21cd,msoa21cd,wz11cd,"
    "sicbl24cd,bua24cd,oac11cd,ruc21ind,lat,long,pfa23cd,imd20ind,icb23cd"
)

SCOTLAND = "AB DD DG EH FK G HS IV KA KW KY ML PA PH TD ZE".split()
WALES = "CF LD LL NP SA".split()
NORTHERN_IRELAND = ["BT"]
ENGLAND = (
    "AL B BA BB BD BH BL BN BR BS CA CB CH CM CO CR CT CV CW DA DE DH DL DN DT DY E EC EN EX FY GL "
    "GU HA HD HG HP HR HU HX IG IP KT L LA LE LN LS LU M ME MK N NE NG NN NR NW OL OX PE PL PO PR "
    "RG RH RM S SE SG SK SL SM SN SO SP SR SS ST SW SY TA TF TN TQ TR TS TW UB W WA WC WD WF WN WR "
    "WS WV YO"
).split()
# Inward-code unit letters never include C, I, K, M, O or V.
UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
UNITS = [a + b for a in UNIT_LETTERS for b in UNIT_LETTERS]

COUNTRY = {"E": "E92000001", "W": "W92000004", "S": "S92000003", "N": "N92000002"}
# Westminster constituency code ranges for July 2024 boundaries, per nation.
CONSTITUENCIES = {
    "E": ("E14", 1063, 543),
    "W": ("W07", 81, 32),
    "S": ("S14", 60, 57),
    "N": ("N05", 1, 18),
}
LOCAL_AUTHORITIES = {
    "E": ("E07", 244, 160),
    "W": ("W06", 1, 22),
    "S": ("S12", 5, 32),
    "N": ("N09", 1, 11),
}
# Rough national grid extents (metres) per nation, so that coordinates look plausible.
EXTENT = {
    "E": (135000, 655000, 10000, 655000),
    "W": (180000, 355000, 165000, 395000),
    "S": (100000, 465000, 530000, 1220000),
    "N": (185000, 365000, 310000, 455000),
}


def nation_of(area: str) -> str:
    if area in SCOTLAND:
        return "S"
    if area in WALES:
        return "W"
    if area in NORTHERN_IRELAND:
        return "N"
    return "E"


def code(spec, rng) -> str:
    prefix, start, count = spec
    return f"{prefix}{start + rng.randrange(count):06d}"


def postcodes(rows: int):
    """Unique postcodes in directory order, spread over every postcode area."""
    areas = sorted(ENGLAND + WALES + SCOTLAND + NORTHERN_IRELAND)
    districts = 25
    per_sector = min(len(UNITS), math.ceil(rows / (len(areas) * districts * 10)))
    produced = 0
    for area in areas:
        for district in range(1, districts + 1):
            for sector in range(10):
                for unit in UNITS[:per_sector]:
                    yield area, f"{area}{district}", f"{sector}{unit}"
                    produced += 1
                    if produced >= rows:
                        return


def row_for(area, outward, inward, rng) -> str:
    nation = nation_of(area)
    pcds = f"{outward} {inward}"
    pcd7 = f"{outward:<4}{inward}" if len(outward) < 4 else f"{outward}{inward}"
    pcd8 = f"{outward:<5}{inward}"
    introduced = f"{rng.randrange(1980, 2025)}{rng.randrange(1, 13):02d}"
    terminated = ""
    if rng.random() < 0.33:
        terminated = f"{rng.randrange(int(introduced[:4]), 2026)}{rng.randrange(1, 13):02d}"
    if rng.random() < 0.01:
        east, north, lat, long, grid = "", "", "99.999999", "0.000000", "9"
    else:
        x0, x1, y0, y1 = EXTENT[nation]
        e, n = rng.randrange(x0, x1), rng.randrange(y0, y1)
        latitude = 49.77 + n / 111_200
        longitude = -7.56 + e / (111_200 * math.cos(math.radians(latitude)))
        east, north, lat, long, grid = str(e), str(n), f"{latitude:.6f}", f"{longitude:.6f}", "1"
    lad = code(LOCAL_AUTHORITIES[nation], rng)
    ward = f"{nation}05{rng.randrange(10**6):06d}"
    oa = f"{nation}00{rng.randrange(10**6):06d}"
    lsoa = f"{nation}01{rng.randrange(10**6):06d}"
    msoa = f"{nation}02{rng.randrange(10**6):06d}"
    english = nation == "E"
    return ",".join(
        (
            pcd7,
            pcd8,
            pcds,
            introduced,
            terminated,
            str(rng.randrange(2)),
            east,
            north,
            grid,
            oa,
            "E10000014" if english else f"{nation}99999999",
            "E58000001" if english else f"{nation}99999999",
            lad,
            ward,
            "E40000007" if english else f"{nation}99999999",
            COUNTRY[nation],
            f"E1200000{rng.randrange(1, 10)}" if english else f"{nation}99999999",
            code(CONSTITUENCIES[nation], rng),
            f"{nation}30000{rng.randrange(100, 300)}",
            f"TL{rng.choice('CDEFGHIJK')}{rng.randrange(10, 99)}",
            f"{nation}99999999",
            lsoa,
            msoa,
            f"{nation}33{rng.randrange(10**6):06d}",
            f"E38000{rng.randrange(100, 260)}" if english else f"{nation}99999999",
            f"{nation}63{rng.randrange(10**6):06d}",
            f"{rng.randrange(1, 9)}{rng.choice('abcd')}{rng.randrange(1, 4)}",
            rng.choice(("UN1", "UF1", "RSN1", "RLN1")),
            lat,
            long,
            f"{nation}230000{rng.randrange(10, 60)}",
            str(rng.randrange(1, 32845)),
            f"E54000{rng.randrange(8, 64):03d}" if english else f"{nation}99999999",
        )
    )


def generate(rows: int, out: Path, seed: int) -> int:
    rng = random.Random(seed)  # noqa: S311 (reproducible test data, not secrets)
    out.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    with out.open("w", newline="", encoding="utf-8") as handle:
        handle.write(HEADER + "\n")
        chunk = []
        for area, outward, inward in postcodes(rows):
            chunk.append(row_for(area, outward, inward, rng))
            written += 1
            if len(chunk) >= 50_000:
                handle.write("\n".join(chunk) + "\n")
                chunk = []
        if chunk:
            handle.write("\n".join(chunk) + "\n")
    return written


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=2_700_000)
    parser.add_argument("--out", type=Path, default=Path("var/bench/ONSPD_BENCH_UK.csv"))
    parser.add_argument("--seed", type=int, default=20250201)
    parser.add_argument(
        "--zip",
        action="store_true",
        help="also write OUT.zip holding Data/<OUT name>, as ONS publishes it",
    )
    args = parser.parse_args(argv)
    written = generate(args.rows, args.out, args.seed)
    print(f"wrote {written:,} rows to {args.out} ({args.out.stat().st_size / 1e6:,.0f} MB)")
    if args.zip:
        archive = args.out.with_suffix(".zip")
        with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
            zf.write(args.out, f"Data/{args.out.name}")
        print(f"wrote {archive} ({archive.stat().st_size / 1e6:,.0f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
