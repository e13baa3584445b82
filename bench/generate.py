#!/usr/bin/env python3
"""Synthetic marketplace data for the Hangar benchmarks (standard library only).

Writes CSV for PostgreSQL's COPY, deterministic for a given --seed, --count and --now:

  generate.py catalogue --db URL                       > catalogue.json
  generate.py users                                    > users.csv
  generate.py listings  --catalogue catalogue.json \\
                        --photos photos.csv --events events.csv > listings.csv

`catalogue` reads the real category ids, makes, models and airfields of the target database
(with `psql -At`); `listings` reads that JSON (or `--db URL` to query it directly). Users
and listings must be generated with the same --seed, --count, --users and --now: listings pick
their sellers among the generated users by recomputing their ids.

The rows satisfy the CHECK constraints of the tables (migrations/) and the attribute shapes of
api/src/domain/attributes.rs, as the API would store them (unset optional fields left out,
`ifr` and `avionics` always present for aircraft). `generate.py selfcheck` validates a sample
against a Python port of those rules.

Column lists (in this order) are printed by `generate.py columns TABLE`.
"""

import argparse
import bisect
import csv
import datetime as dt
import hashlib
import json
import math
import random
import re
import subprocess
import sys
import time

# ------------------------------------------------------------------------------------------
# Columns written, per table (generated columns and defaults left out).

USER_COLUMNS = [
    "id", "email", "email_verified_at", "password_hash", "display_name", "locale",
    "account_type", "company_name", "company_registration", "phone", "show_phone",
    "role", "status", "created_at", "updated_at", "suspended_at",
]
LISTING_COLUMNS = [
    "id", "seller_id", "category_id", "status", "title", "description", "price_amount",
    "currency", "price_kind", "vat_included", "condition", "airfield_icao", "city", "postcode",
    "country", "lat", "lon", "show_phone", "make", "model", "year", "registration",
    "ttaf_hours", "engine_hours", "smoh_hours", "tbo_hours", "seats", "ifr", "fuel",
    "attributes", "version", "view_count", "favourite_count", "created_at", "updated_at",
    "published_at", "expires_at", "sold_at", "expiry_reminder_sent_at",
]
PHOTO_COLUMNS = ["id", "listing_id", "position", "sha256", "width", "height", "widths", "created_at"]
EVENT_COLUMNS = [
    "listing_id", "actor_id", "kind", "from_status", "to_status", "price_amount", "currency",
    "details", "created_at",
]
COLUMNS = {"users": USER_COLUMNS, "listings": LISTING_COLUMNS,
           "listing_photos": PHOTO_COLUMNS, "listing_events": EVENT_COLUMNS}

# ------------------------------------------------------------------------------------------
# Geography: where listings are (share of listings per country of the airfield).

COUNTRY_WEIGHTS = {
    "FR": 62, "DE": 10, "GB": 6.5, "CH": 4, "BE": 4, "IT": 3.5, "ES": 3, "NL": 1.5, "AT": 1.5,
    "PT": 0.8, "LU": 0.5, "DK": 0.4, "SE": 0.4, "PL": 0.4, "CZ": 0.5, "IE": 0.3, "US": 0.5,
}
# Probability that a listing located in the country is written in French.
FRENCH_SHARE = {"FR": 0.96, "BE": 0.6, "CH": 0.5, "LU": 0.7}
FRENCH_SHARE_ELSEWHERE = 0.12
# Well-known general-aviation fields: more listings than the long tail.
BUSY_AIRFIELDS = {
    "LFPN": 12, "LFPT": 8, "LFPZ": 6, "LFFE": 4, "LFAQ": 5, "LFOH": 4, "LFCH": 4, "LFJR": 5,
    "LFRN": 4, "LFBO": 3, "LFLY": 4, "LFMN": 2, "LFRS": 4, "LFBZ": 3, "LFGA": 3, "LFQQ": 4,
    "LFPL": 5, "LFPK": 4, "LFOX": 4, "LFFQ": 4, "LFPM": 4, "LFLP": 3, "LFMD": 3, "LFMU": 3,
    "LSZB": 4, "LSGG": 2, "LSZG": 3, "EBAW": 3, "EBCI": 3, "EBKT": 3, "EDNY": 3, "EDFE": 4,
    "EDMA": 3, "EDTF": 3, "EGBJ": 4, "EGKA": 3, "EGTC": 3, "EGBW": 3, "LEMD": 2, "LECU": 4,
    "LIPB": 2, "LIML": 3, "EHLE": 3, "LOAN": 3, "ELLX": 2,
}
CURRENCY = {"CH": ("CHF", 0.95), "GB": ("GBP", 0.85), "US": ("USD", 1.08)}
# Probability that a listing in the country is priced in its own currency (else EUR).
OWN_CURRENCY_SHARE = {"CH": 0.8, "GB": 0.85, "US": 1.0}

# ------------------------------------------------------------------------------------------
# Aircraft: makes (catalogue slugs), their weight within their kind, and per-model specs.
# Spec keys: cat (category slug), years (first, last, most common), price (median EUR),
# seats, ifr (probability), fuel, eng (make, model, TBO hours) or None, hpy (hours flown per
# year, median), w (weight of the model within its make).

PLANE, ULM, GLIDER, HELI, BALLOON = "plane", "ulm", "glider", "heli", "balloon"
KIND_WEIGHTS = {PLANE: 55, ULM: 25, GLIDER: 12, HELI: 5, BALLOON: 3}

LYC_O235 = ("Lycoming", "O-235-L2C", 2400)
LYC_O320 = ("Lycoming", "O-320-E2A", 2000)
LYC_O360 = ("Lycoming", "O-360-A3A", 2000)
LYC_IO360 = ("Lycoming", "IO-360-M1A", 2000)
LYC_AEIO360 = ("Lycoming", "AEIO-360-B2F", 1400)
LYC_IO540 = ("Lycoming", "IO-540-C4B5", 2000)
LYC_AEIO540 = ("Lycoming", "AEIO-540-L1B5", 1400)
LYC_TIO540 = ("Lycoming", "TIO-540-AE2A", 2000)
CONT_C90 = ("Continental", "C90-14F", 1800)
CONT_O200 = ("Continental", "O-200-A", 1800)
CONT_O470 = ("Continental", "O-470-U", 1500)
CONT_IO520 = ("Continental", "IO-520-BB", 1700)
CONT_IO550 = ("Continental", "IO-550-N", 2200)
CONT_TSIO550 = ("Continental", "TSIO-550-K", 2000)
AUSTRO = ("Austro Engine", "AE300", 1800)
ROTAX_912 = ("Rotax", "912 UL", 2000)
ROTAX_912S = ("Rotax", "912 ULS", 2000)
ROTAX_914 = ("Rotax", "914 F", 2000)
ROTAX_582 = ("Rotax", "582 UL", 300)
LIMBACH = ("Limbach", "L2000 EB1", 1000)
JABIRU = ("Jabiru", "3300", 2000)
PT6 = ("Pratt & Whitney Canada", "PT6A-66D", 3500)
TURBOSHAFT = ("Safran", "Arriel 2D", 3000)

AIRCRAFT = [
    # (make slug, kind, weight, defaults, [(model regex, overrides), ...])
    ("robin", PLANE, 11, dict(cat="single-engine-piston", years=(1968, 2015, 1982), price=72000,
                               seats=4, ifr=0.35, fuel="100LL", eng=LYC_O360, hpy=110),
     [(r"^DR400$", dict(w=4)), (r"DR400-140B", dict(w=3, eng=LYC_O320)),
      (r"DR400-120|DR300", dict(w=2, eng=LYC_O235, price=48000, years=(1968, 2008, 1978))),
      (r"DR400-180R", dict(price=85000)), (r"DR401", dict(years=(2009, 2024, 2015), price=210000, ifr=0.7)),
      (r"DR500", dict(years=(1997, 2012, 2002), price=170000, ifr=0.75)),
      (r"HR100", dict(years=(1969, 1976, 1972), price=55000, eng=LYC_IO360)),
      (r"HR200|R2160", dict(cat="aerobatic", seats=2, eng=LYC_O235, price=50000, years=(1973, 2005, 1980))),
      (r"R1180", dict(price=60000, years=(1977, 1984, 1979))),
      (r"R3000", dict(price=75000, years=(1980, 1992, 1984))),
      (r"ATL", dict(seats=2, price=22000, years=(1983, 1991, 1985), eng=LIMBACH, fuel="mogas", ifr=0.0))]),
    ("jodel", PLANE, 6, dict(cat="vintage-warbirds", years=(1950, 1985, 1962), price=24000, seats=2,
                              ifr=0.02, fuel="100LL", eng=CONT_C90, hpy=45),
     [(r"D140|DR1050|DR1051|D150", dict(cat="single-engine-piston", seats=4, eng=CONT_O200, price=38000)),
      (r"D9", dict(seats=1, price=12000, fuel="mogas", eng=("Volkswagen", "1600 cm3", 1000)))]),
    ("cessna", PLANE, 11, dict(cat="single-engine-piston", years=(1956, 2018, 1977), price=78000,
                                seats=4, ifr=0.45, fuel="100LL", eng=LYC_O320, hpy=100),
     [(r"^1[245]0$", dict(seats=2, price=35000, eng=CONT_O200, ifr=0.1, years=(1946, 1977, 1968))),
      (r"^152", dict(seats=2, price=42000, eng=LYC_O235, ifr=0.15, years=(1977, 1985, 1979), w=3)),
      (r"^170", dict(price=55000, eng=CONT_O470, years=(1948, 1956, 1952))),
      (r"^172 Skyhawk", dict(w=6, years=(1960, 2020, 1976))),
      (r"172RG|177|182", dict(price=125000, eng=CONT_O470, ifr=0.65)),
      (r"185|206|210", dict(seats=6, price=165000, eng=CONT_IO520, ifr=0.6)),
      (r"^310|^337|^340", dict(cat="multi-engine-piston", seats=5, price=170000, eng=CONT_IO520, ifr=0.9))]),
    ("reims-aviation", PLANE, 4, dict(cat="single-engine-piston", years=(1963, 1989, 1976), price=62000,
                                      seats=4, ifr=0.4, fuel="100LL", eng=LYC_O320, hpy=100),
     [(r"F15", dict(seats=2, price=38000, eng=CONT_O200, w=3)),
      (r"F172", dict(w=3)), (r"FR172", dict(eng=("Continental", "IO-360-H", 1500), price=80000)),
      (r"F337", dict(cat="multi-engine-piston", seats=5, price=110000, eng=CONT_IO520, ifr=0.85)),
      (r"F406", dict(cat="turboprops-jets", seats=12, price=900000, eng=("Pratt & Whitney Canada", "PT6A-112", 3600),
                     fuel="jet-a1", ifr=1.0, w=0.2))]),
    ("piper", PLANE, 10, dict(cat="single-engine-piston", years=(1958, 2010, 1976), price=70000, seats=4,
                               ifr=0.45, fuel="100LL", eng=LYC_O320, hpy=100),
     [(r"J-3", dict(cat="vintage-warbirds", seats=2, years=(1938, 1947, 1944), price=55000,
                    eng=("Continental", "A65-8", 1800), ifr=0.0, hpy=30)),
      (r"PA-18", dict(seats=2, years=(1950, 1983, 1958), price=75000)),
      (r"PA-22", dict(cat="vintage-warbirds", years=(1951, 1964, 1957), price=40000)),
      (r"PA-28-1[468]", dict(w=3, eng=LYC_O360)),
      (r"PA-24|PA-28R|PA-32", dict(price=105000, eng=LYC_IO540, ifr=0.7, seats=4)),
      (r"PA-32", dict(seats=6, price=120000, eng=LYC_IO540, ifr=0.7)),
      (r"PA-23|PA-30|PA-34|PA-44", dict(cat="multi-engine-piston", price=150000, eng=LYC_IO360, ifr=0.9, seats=4)),
      (r"PA-38", dict(seats=2, price=38000, eng=LYC_O235, ifr=0.15, years=(1978, 1982, 1979))),
      (r"PA-46", dict(seats=6, price=420000, eng=LYC_TIO540, ifr=0.97, years=(1984, 2015, 1998)))]),
    ("diamond", PLANE, 3.5, dict(cat="single-engine-piston", years=(1994, 2024, 2008), price=210000,
                                  seats=4, ifr=0.8, fuel="jet-a1", eng=AUSTRO, hpy=150),
     [(r"DA20", dict(seats=2, price=85000, eng=("Continental", "IO-240-B", 2000), fuel="100LL", ifr=0.3)),
      (r"DA42|DA62", dict(cat="multi-engine-piston", price=420000, ifr=0.98)),
      (r"DA50", dict(price=850000, years=(2020, 2025, 2023), w=0.3)),
      (r"HK36", dict(cat="motor-gliders", seats=2, price=95000, eng=ROTAX_914, fuel="100LL", ifr=0.0))]),
    ("cirrus", PLANE, 1.5, dict(cat="single-engine-piston", years=(2001, 2025, 2012), price=420000, seats=4,
                                 ifr=0.97, fuel="100LL", eng=CONT_IO550, hpy=120),
     [(r"SR20", dict(price=260000, eng=("Lycoming", "IO-390-C3B6", 2000))),
      (r"SR22T", dict(eng=CONT_TSIO550, price=560000, seats=5)),
      (r"SF50", dict(cat="turboprops-jets", price=2400000, eng=("Williams", "FJ33-5A", 4000), fuel="jet-a1",
                     years=(2017, 2025, 2021), w=0.2))]),
    ("tecnam", PLANE, 2.5, dict(cat="light-sport", years=(2003, 2025, 2016), price=150000, seats=2,
                                 ifr=0.1, fuel="UL91", eng=ROTAX_912S, hpy=140),
     [(r"P92|P96", dict(cat="ulm-3-axis", price=70000, years=(1995, 2020, 2008))),
      (r"P2006T|P2012", dict(cat="multi-engine-piston", seats=4, price=420000, ifr=0.9, w=0.5)),
      (r"P2010", dict(cat="single-engine-piston", seats=4, price=300000, eng=LYC_IO360, fuel="100LL", ifr=0.7))]),
    ("socata", PLANE, 5, dict(cat="single-engine-piston", years=(1964, 2005, 1984), price=85000, seats=4,
                               ifr=0.5, fuel="100LL", eng=LYC_O360, hpy=90),
     [(r"TB9", dict(price=60000, eng=LYC_O320)), (r"TB10", dict(w=3)),
      (r"TB20|TB21", dict(price=150000, eng=LYC_IO540, ifr=0.85, w=2)),
      (r"MS 880|MS 893|Rallye", dict(price=32000, years=(1961, 1984, 1972), eng=CONT_O200, ifr=0.05, w=2)),
      (r"TBM", dict(cat="turboprops-jets", price=1300000, eng=PT6, fuel="jet-a1", ifr=1.0,
                    years=(1990, 2005, 1997), w=0.3))]),
    ("daher", PLANE, 0.3, dict(cat="turboprops-jets", years=(2006, 2025, 2016), price=2900000, seats=6, ifr=1.0,
                                fuel="jet-a1", eng=PT6, hpy=200), [(r"Kodiak", dict(seats=10, price=2200000))]),
    ("mooney", PLANE, 1.2, dict(cat="single-engine-piston", years=(1962, 2010, 1980), price=110000, seats=4,
                                 ifr=0.85, fuel="100LL", eng=LYC_IO360, hpy=80), []),
    ("beechcraft", PLANE, 1.8, dict(cat="single-engine-piston", years=(1960, 2005, 1978), price=150000,
                                     seats=6, ifr=0.85, fuel="100LL", eng=CONT_IO520, hpy=80),
     [(r"Baron|Duchess", dict(cat="multi-engine-piston", price=230000, seats=4)),
      (r"Musketeer|Sundowner|Sierra", dict(seats=4, price=60000, eng=LYC_O360, ifr=0.4)),
      (r"King Air", dict(cat="turboprops-jets", price=1100000, eng=PT6, fuel="jet-a1", ifr=1.0, w=0.3))]),
    ("extra", PLANE, 0.6, dict(cat="aerobatic", years=(1988, 2024, 2008), price=260000, seats=2, ifr=0.0,
                                fuel="100LL", eng=LYC_AEIO540, hpy=60),
     [(r"EA 200", dict(eng=LYC_AEIO360, price=190000))]),
    ("mudry", PLANE, 1.2, dict(cat="aerobatic", years=(1970, 2005, 1985), price=90000, seats=2, ifr=0.0,
                                fuel="100LL", eng=LYC_AEIO360, hpy=70),
     [(r"CAP 2[0-9]", dict(seats=1, price=130000, eng=LYC_AEIO540))]),
    ("zlin", PLANE, 0.7, dict(cat="single-engine-piston", years=(1970, 2000, 1985), price=80000, seats=2,
                               ifr=0.1, fuel="100LL", eng=("Walter", "M 337 AK", 1500), hpy=60),
     [(r"Z-50|Z-526", dict(cat="aerobatic", seats=1)),
      (r"Z-226|Z-326|Z-37", dict(cat="vintage-warbirds", years=(1955, 1975, 1962), price=55000))]),
    ("piel", PLANE, 0.9, dict(cat="homebuilt-experimental", years=(1960, 2005, 1980), price=26000, seats=2,
                               ifr=0.0, fuel="100LL", eng=CONT_C90, hpy=40), []),
    ("colomban", PLANE, 0.7, dict(cat="homebuilt-experimental", years=(1975, 2015, 1995), price=15000, seats=1,
                                   ifr=0.0, fuel="mogas", eng=("JPX", "PUL 212", 500), hpy=25),
     [(r"Luciole", dict(cat="ulm-3-axis", eng=("Hirth", "F33", 500)))]),
    ("vans-aircraft", PLANE, 1.4, dict(cat="homebuilt-experimental", years=(1995, 2024, 2012), price=110000,
                                        seats=2, ifr=0.4, fuel="100LL", eng=LYC_O360, hpy=70),
     [(r"RV-10", dict(seats=4, price=230000, eng=LYC_IO540)), (r"RV-12", dict(eng=ROTAX_912S, fuel="UL91"))]),
    ("dyn-aero", PLANE, 0.7, dict(cat="homebuilt-experimental", years=(1997, 2018, 2006), price=60000, seats=2,
                                   ifr=0.05, fuel="UL91", eng=ROTAX_912S, hpy=60),
     [(r"MCR01|Banbi", dict(cat="ulm-3-axis")), (r"MCR4S", dict(seats=4, price=90000, eng=ROTAX_914))]),
    ("zenith-aircraft", PLANE, 0.6, dict(cat="homebuilt-experimental", years=(1995, 2022, 2010), price=45000,
                                          seats=2, ifr=0.0, fuel="UL91", eng=ROTAX_912, hpy=50), []),
    ("cubcrafters", PLANE, 0.3, dict(cat="light-sport", years=(2008, 2025, 2018), price=260000, seats=2, ifr=0.0,
                                      fuel="100LL", eng=("CubCrafters", "CC340", 2000), hpy=80), []),
    ("aviat", PLANE, 0.3, dict(cat="single-engine-piston", years=(1987, 2024, 2008), price=190000, seats=2,
                                ifr=0.0, fuel="100LL", eng=LYC_O360, hpy=70),
     [(r"Pitts|Eagle", dict(cat="aerobatic", eng=LYC_AEIO540, price=160000))]),
    ("sonaca", PLANE, 0.1, dict(cat="light-sport", years=(2018, 2025, 2021), price=190000, seats=2, ifr=0.2,
                                 fuel="UL91", eng=ROTAX_912S, hpy=200), []),
    ("evektor", PLANE, 0.4, dict(cat="ulm-3-axis", years=(2000, 2024, 2012), price=80000, seats=2, ifr=0.0,
                                  fuel="UL91", eng=ROTAX_912S, hpy=80),
     [(r"SportStar|Harmony", dict(cat="light-sport", price=120000))]),
    ("vulcanair", PLANE, 0.2, dict(cat="multi-engine-piston", years=(1975, 2024, 2005), price=420000, seats=6,
                                    ifr=0.95, fuel="100LL", eng=LYC_IO360, hpy=150),
     [(r"V1.0", dict(cat="single-engine-piston", seats=4, price=260000))]),
    ("aquila", PLANE, 0.6, dict(cat="single-engine-piston", years=(2002, 2024, 2012), price=135000, seats=2,
                                 ifr=0.3, fuel="UL91", eng=ROTAX_912S, hpy=180), []),
    ("fournier", PLANE, 0.5, dict(cat="motor-gliders", years=(1962, 1990, 1972), price=38000, seats=1, ifr=0.0,
                                   fuel="100LL", eng=("Limbach", "SL 1700 EA", 1000), hpy=40),
     [(r"RF5|RF9|RF47", dict(seats=2)), (r"RF6", dict(cat="single-engine-piston", seats=2, eng=LYC_O235))]),
    ("wassmer", PLANE, 0.5, dict(cat="single-engine-piston", years=(1962, 1980, 1970), price=32000, seats=4,
                                  ifr=0.05, fuel="100LL", eng=LYC_O360, hpy=40),
     [(r"WA 2[68]", dict(cat="sailplanes", seats=1, eng=None, price=12000, hpy=30))]),
    ("issoire-aviation", PLANE, 0.2, dict(cat="light-sport", years=(1999, 2015, 2005), price=80000, seats=2,
                                           ifr=0.0, fuel="UL91", eng=ROTAX_912S, hpy=90), []),
    ("slingsby", PLANE, 0.3, dict(cat="sailplanes", years=(1950, 1985, 1965), price=9000, seats=2, ifr=0.0,
                                   eng=None, hpy=30),
     [(r"T67", dict(cat="aerobatic", eng=LYC_AEIO360, fuel="100LL", price=90000, years=(1975, 1995, 1985))),
      (r"T61", dict(cat="motor-gliders", eng=("Limbach", "SL 1700", 1000), fuel="100LL", price=25000))]),
    ("grob", PLANE, 0.5, dict(cat="sailplanes", years=(1975, 1995, 1982), price=28000, seats=2, ifr=0.0,
                               eng=None, hpy=40),
     [(r"G102", dict(seats=1)),
      (r"G109", dict(cat="motor-gliders", eng=("Grob", "G 2500", 1500), fuel="mogas", price=55000)),
      (r"G115|G120", dict(cat="single-engine-piston", eng=LYC_AEIO360, fuel="100LL", price=110000, ifr=0.4))]),
    ("jabiru", PLANE, 0.4, dict(cat="light-sport", years=(1995, 2022, 2008), price=55000, seats=2, ifr=0.0,
                                 fuel="UL91", eng=JABIRU, hpy=70), [(r"J4|J230", dict(seats=2)),
                                                                    (r"^2200|^3300", dict(w=0.0))]),
    ("bolkow", PLANE, 0.2, dict(cat="single-engine-piston", years=(1960, 1975, 1967), price=45000, seats=2,
                                 ifr=0.05, fuel="100LL", eng=CONT_O200, hpy=40),
     [(r"Bo 105", dict(cat="turbine-helicopters", seats=5, eng=("Allison", "250-C20B", 3500), fuel="jet-a1",
                       price=450000))]),
    # Microlights (ULM)
    ("aeropro", ULM, 2, dict(cat="ulm-3-axis", years=(2003, 2024, 2014), price=72000, seats=2, ifr=0.0,
                              fuel="UL91", eng=ROTAX_912, hpy=70), []),
    ("best-off", ULM, 1.5, dict(cat="ulm-3-axis", years=(2005, 2024, 2015), price=68000, seats=2, ifr=0.0,
                                 fuel="UL91", eng=ROTAX_912, hpy=70), []),
    ("comco-ikarus", ULM, 2, dict(cat="ulm-3-axis", years=(1996, 2024, 2010), price=65000, seats=2, ifr=0.0,
                                   fuel="UL91", eng=ROTAX_912, hpy=90),
     [(r"C22", dict(price=25000, eng=ROTAX_582, years=(1990, 2000, 1995)))]),
    ("aerospool", ULM, 0.7, dict(cat="ulm-3-axis", years=(2003, 2024, 2014), price=110000, seats=2, ifr=0.0,
                                  fuel="UL91", eng=ROTAX_912S, hpy=80), []),
    ("flight-design", ULM, 1.5, dict(cat="ulm-3-axis", years=(1998, 2024, 2010), price=85000, seats=2,
                                      ifr=0.0, fuel="UL91", eng=ROTAX_912S, hpy=80),
     [(r"F2", dict(price=190000, years=(2020, 2025, 2023)))]),
    ("zlin-aviation", ULM, 1, dict(cat="ulm-3-axis", years=(2000, 2024, 2014), price=70000, seats=2, ifr=0.0,
                                    fuel="UL91", eng=ROTAX_912, hpy=50), []),
    ("tl-ultralight", ULM, 0.8, dict(cat="ulm-3-axis", years=(1998, 2024, 2012), price=80000, seats=2,
                                      ifr=0.0, fuel="UL91", eng=ROTAX_912S, hpy=70), []),
    ("rans", ULM, 0.4, dict(cat="ulm-3-axis", years=(1990, 2020, 2005), price=35000, seats=2, ifr=0.0,
                             fuel="UL91", eng=ROTAX_912, hpy=40), []),
    ("apollo", ULM, 0.4, dict(cat="ulm-3-axis", years=(2000, 2024, 2012), price=60000, seats=2, ifr=0.0,
                               fuel="UL91", eng=ROTAX_912, hpy=50),
     [(r"Jet Star|Delta Jet", dict(cat="ulm-weight-shift", price=30000))]),
    ("pipistrel", ULM, 1.5, dict(cat="ulm-3-axis", years=(2002, 2024, 2014), price=120000, seats=2, ifr=0.0,
                                  fuel="UL91", eng=ROTAX_912, hpy=90),
     [(r"Taurus", dict(cat="self-launching-gliders", eng=("Rotax", "503", 300), price=95000)),
      (r"Velis", dict(cat="light-sport", eng=("Pipistrel", "E-811", 2000), fuel="electric", price=190000,
                      years=(2020, 2025, 2022))),
      (r"Panthera", dict(cat="single-engine-piston", seats=4, eng=LYC_IO540, fuel="100LL", price=500000,
                         years=(2021, 2025, 2023), w=0.2)),
      (r"Alpha", dict(cat="light-sport"))]),
    ("air-creation", ULM, 1.5, dict(cat="ulm-weight-shift", years=(1995, 2024, 2010), price=30000, seats=2,
                                     ifr=0.0, fuel="UL91", eng=ROTAX_912, hpy=40), []),
    ("pm-aviation", ULM, 0.5, dict(cat="ulm-weight-shift", years=(1995, 2020, 2008), price=28000, seats=2,
                                    ifr=0.0, fuel="UL91", eng=ROTAX_912, hpy=40), []),
    ("dta", ULM, 0.6, dict(cat="ulm-weight-shift", years=(1995, 2024, 2010), price=32000, seats=2, ifr=0.0,
                            fuel="UL91", eng=ROTAX_912, hpy=40), []),
    ("cosmos", ULM, 0.4, dict(cat="ulm-weight-shift", years=(1985, 2010, 1995), price=12000, seats=2,
                               ifr=0.0, fuel="mogas", eng=ROTAX_582, hpy=30), []),
    ("aeros", ULM, 0.3, dict(cat="ulm-weight-shift", years=(2000, 2024, 2012), price=26000, seats=2, ifr=0.0,
                              fuel="UL91", eng=ROTAX_912, hpy=40), []),
    ("magni", ULM, 0.8, dict(cat="ulm-gyroplanes", years=(2002, 2024, 2014), price=95000, seats=2, ifr=0.0,
                              fuel="UL91", eng=ROTAX_914, hpy=60), []),
    ("autogyro", ULM, 1.2, dict(cat="ulm-gyroplanes", years=(2004, 2024, 2015), price=110000, seats=2,
                                 ifr=0.0, fuel="UL91", eng=ROTAX_914, hpy=70),
     [(r"eCavalon", dict(fuel="electric", eng=("Siemens", "SP55D", 2000), w=0.2))]),
    ("ela-aviacion", ULM, 0.4, dict(cat="ulm-gyroplanes", years=(2005, 2022, 2012), price=65000, seats=2,
                                     ifr=0.0, fuel="UL91", eng=ROTAX_914, hpy=60), []),
    # Gliders
    ("alexander-schleicher", GLIDER, 2.5, dict(cat="sailplanes", years=(1960, 2024, 1990), price=45000,
                                               seats=1, ifr=0.0, eng=None, hpy=50),
     [(r"ASK 13|ASK 21$|ASH 25|AS 33", dict(seats=2)), (r"ASK 21 Mi|ASH 26|ASH 31|ASG 32",
                                                        dict(cat="self-launching-gliders", price=120000,
                                                             eng=("Mid-West", "AE50R", 1000), fuel="mogas")),
      (r"ASK 13", dict(years=(1966, 1980, 1972), price=14000))]),
    ("schempp-hirth", GLIDER, 2.5, dict(cat="sailplanes", years=(1968, 2024, 1995), price=55000, seats=1,
                                        ifr=0.0, eng=None, hpy=50),
     [(r"Duo|Janus|Arcus$|Nimbus-4", dict(seats=2, price=95000)),
      (r"Arcus M|Quintus|Ventus-3", dict(cat="self-launching-gliders", price=190000,
                                         eng=("Solo", "2625-02i", 600), fuel="mogas"))]),
    ("dg-flugzeugbau", GLIDER, 1, dict(cat="sailplanes", years=(1975, 2024, 1995), price=48000, seats=1,
                                        ifr=0.0, eng=None, hpy=50),
     [(r"DG-500|DG-1000", dict(seats=2, price=80000)),
      (r"DG-400|DG-808|DG-1001", dict(cat="self-launching-gliders", price=110000,
                                      eng=("Rotax", "505", 600), fuel="mogas"))]),
    ("rolladen-schneider", GLIDER, 0.8, dict(cat="sailplanes", years=(1968, 2003, 1985), price=30000, seats=1,
                                             ifr=0.0, eng=None, hpy=50), []),
    ("stemme", GLIDER, 0.3, dict(cat="motor-gliders", years=(1988, 2024, 2005), price=180000, seats=2,
                                 ifr=0.1, fuel="100LL", eng=ROTAX_914, hpy=70), []),
    ("lak", GLIDER, 0.3, dict(cat="sailplanes", years=(1980, 2024, 2005), price=50000, seats=1, ifr=0.0,
                              eng=None, hpy=50), []),
    ("jonker-sailplanes", GLIDER, 0.2, dict(cat="sailplanes", years=(2008, 2024, 2016), price=160000, seats=1,
                                            ifr=0.0, eng=None, hpy=80), []),
    ("scheibe", GLIDER, 0.6, dict(cat="sailplanes", years=(1955, 1990, 1970), price=12000, seats=2, ifr=0.0,
                                  eng=None, hpy=30),
     [(r"SF 2[58]", dict(cat="motor-gliders", eng=LIMBACH, fuel="mogas", price=35000)),
      (r"Spatz", dict(seats=1))]),
    ("centrair", GLIDER, 0.5, dict(cat="sailplanes", years=(1975, 1995, 1984), price=22000, seats=1, ifr=0.0,
                                   eng=None, hpy=50), [(r"Marianne", dict(seats=2))]),
    # Helicopters
    ("robinson", HELI, 1.5, dict(cat="piston-helicopters", years=(1980, 2024, 2005), price=320000, seats=4,
                                 ifr=0.0, fuel="100LL", eng=("Lycoming", "IO-540-AE1A5", 2200), hpy=150),
     [(r"R22", dict(seats=2, price=150000, eng=("Lycoming", "O-360-J2A", 2200))),
      (r"R66", dict(cat="turbine-helicopters", seats=5, price=850000, eng=("Rolls-Royce", "RR300", 2000),
                    fuel="jet-a1"))]),
    ("guimbal", HELI, 0.5, dict(cat="piston-helicopters", years=(2008, 2024, 2016), price=380000, seats=2,
                                ifr=0.0, fuel="100LL", eng=("Lycoming", "O-360-J2A", 2200), hpy=200), []),
    ("airbus-helicopters", HELI, 0.5, dict(cat="turbine-helicopters", years=(1978, 2024, 2000),
                                           price=1300000, seats=6, ifr=0.3, fuel="jet-a1", eng=TURBOSHAFT,
                                           hpy=150), []),
    ("bell", HELI, 0.4, dict(cat="turbine-helicopters", years=(1968, 2022, 1990), price=700000, seats=5,
                             ifr=0.2, fuel="jet-a1", eng=("Rolls-Royce", "250-C20J", 3500), hpy=120),
     [(r"^47$", dict(cat="piston-helicopters", seats=3, years=(1950, 1974, 1965), price=180000,
                     eng=("Lycoming", "VO-435", 1200), fuel="100LL"))]),
    ("schweizer", HELI, 0.4, dict(cat="piston-helicopters", years=(1975, 2015, 1995), price=220000, seats=3,
                                  ifr=0.0, fuel="100LL", eng=("Lycoming", "HIO-360-D1A", 2000), hpy=150),
     [(r"333", dict(cat="turbine-helicopters", eng=("Rolls-Royce", "250-C20W", 3500), fuel="jet-a1",
                    price=420000))]),
    # Balloons
    ("cameron-balloons", BALLOON, 0.6, dict(cat="hot-air-balloons", years=(1985, 2024, 2008), price=28000,
                                            seats=None, ifr=0.0, eng=None, hpy=30), []),
    ("ultramagic", BALLOON, 0.4, dict(cat="hot-air-balloons", years=(1990, 2024, 2010), price=30000,
                                      seats=None, ifr=0.0, eng=None, hpy=30), []),
]

AVIONICS_ITEMS = [
    "Garmin GNS 430W", "Garmin GNS 530W", "Garmin GTN 650Xi", "Garmin GTN 750Xi", "Garmin G5",
    "Garmin GI 275", "Garmin G3X Touch", "Garmin GTX 327", "Garmin GTX 335 ADS-B Out",
    "Garmin GMA 340", "Garmin aera 660", "Trig TT21", "Trig TY91", "Funke ATR833",
    "Becker AR6201", "Bendix/King KX 155", "Bendix/King KT 76A", "Bendix/King KAP 140",
    "Avidyne IFD440", "Dynon SkyView HDX", "Aspen Evolution E5", "FLARM", "ELT 406 MHz",
    "Autopilote / autopilot S-TEC 30", "JPI EDM 700", "Stormscope WX-500",
]
ULM_AVIONICS = ["Funke ATR833", "Trig TT21", "Dynon SkyView HDX", "Garmin aera 660", "FLARM",
                "Garmin G3X Touch", "Kanardia Nesis", "MGL iEFIS", "Becker AR4201"]
GLIDER_AVIONICS = ["LX Navigation LX9000", "LX Navigation S100", "FLARM PowerFLARM", "Trig TT22",
                   "Funke ATR833", "Oudie", "Cambridge 302", "XCSoar (Kobo)"]

# ------------------------------------------------------------------------------------------
# Everything else (30 % of listings): category slug, weight, group, and what is sold.

ENGINE_SPECS = [
    # make slug, category, weight, models (None: all of the make's), TBO, price EUR, power
    ("lycoming", "piston-engines", 5, None, 2000, 22000, (108, 300)),
    ("continental", "piston-engines", 3.5, None, 1800, 18000, (65, 310)),
    ("rotax", "ulm-engines", 6, None, 2000, 14000, (50, 141)),
    ("limbach", "piston-engines", 0.7, None, 1000, 9000, (60, 95)),
    ("hirth", "ulm-engines", 0.6, None, 1000, 5000, (30, 110)),
    ("ulpower", "ulm-engines", 0.6, None, 2000, 16000, (97, 200)),
    ("austro-engine", "piston-engines", 0.5, None, 1800, 45000, (168, 180)),
    ("walter", "turbine-engines", 0.3, [r"M 601"], 3000, 180000, (650, 780)),
    ("walter", "piston-engines", 0.3, [r"Mikron|M 137|M 332"], 1500, 12000, (65, 210)),
    ("polini", "ulm-engines", 0.6, None, 300, 3500, (25, 50)),
    ("vittorazi", "ulm-engines", 0.5, None, 300, 3000, (18, 30)),
    ("jabiru", "piston-engines", 0.4, [r"^2200$|^3300$"], 2000, 14000, (85, 120)),
]
PROPELLER_SPECS = [
    ("hartzell", "variable-pitch-propellers", 2, "variable", (2, 3), 9000),
    ("mt-propeller", "variable-pitch-propellers", 2, "variable", (2, 4), 11000),
    ("sensenich", "fixed-pitch-propellers", 2, "fixed", (2, 2), 2800),
    ("mccauley", "fixed-pitch-propellers", 1.5, "fixed", (2, 2), 2600),
    ("duc-helices", "ground-adjustable-propellers", 2, "ground_adjustable", (2, 3), 1500),
    ("e-props", "ground-adjustable-propellers", 1, "ground_adjustable", (2, 3), 1700),
    ("woodcomp", "fixed-pitch-propellers", 0.6, "fixed", (2, 3), 1400),
]
AVIONICS_CATEGORY_RULES = [
    (r"GTX|TT2|TY9|ATR|TRT|AR6|AR4|BXP|RCU|KX |KT |KMA|KY |GMA", "radios-transponders"),
    (r"GNS|GTN|IFD|aera|TN72|TX56", "gps-navigators"),
    (r"G5$|GI 275|G3X|G1000|SkyView|D10A|EFIS|D3 |Evolution|Entegra", "efis-displays"),
    (r"KAP|KFC", "autopilots"),
    (r"LX|S100|Zeus", "gliding-instruments"),
    (r"", "flight-instruments"),
]
AVIONICS_WEIGHTS = {"garmin": 4, "dynon": 1.5, "trig": 2, "funke": 1.5, "becker": 1, "bendix-king": 2,
                    "avidyne": 0.6, "aspen-avionics": 0.5, "lx-navigation": 1}
AVIONICS_PRICE = {"radios-transponders": 1800, "gps-navigators": 5500, "efis-displays": 6000,
                  "autopilots": 7000, "gliding-instruments": 4500, "flight-instruments": 900}
AIRFRAME_MAKERS = ["Cessna", "Piper", "Robin", "Socata", "Diamond", "Jodel", "Tecnam"]
PART_CATEGORIES = [
    # category, weight, [(part number prefix, name FR, name EN, makers)], price EUR
    ("airframe-parts", 3, [("0523", "Volet de courbure", "Flap", AIRFRAME_MAKERS),
                           ("35-", "Capot moteur", "Engine cowling", AIRFRAME_MAKERS),
                           ("96-", "Gouverne de profondeur", "Elevator", AIRFRAME_MAKERS),
                           ("62-", "Saumon d'aile", "Wing tip", AIRFRAME_MAKERS),
                           ("8-", "Verrière", "Canopy", AIRFRAME_MAKERS),
                           ("E", "Crochet de remorquage", "Tow release", ["Tost"])], 900),
    ("landing-gear-wheels", 2, [("199-", "Roue et frein", "Wheel and brake", ["Cleveland", "Beringer"]),
                                ("40-", "Carénage de roue", "Wheel fairing", AIRFRAME_MAKERS),
                                ("066-", "Amortisseur de train", "Gear shock strut", AIRFRAME_MAKERS)], 700),
    ("interior-upholstery", 1, [("INT-", "Sièges cuir", "Leather seats", AIRFRAME_MAKERS),
                                ("CRP-", "Moquette", "Carpet set", ["Airtex"])], 1200),
    ("electrical-parts", 2, [("RG-", "Batterie RG-25", "RG-25 battery", ["Concorde"]),
                             ("ALT-", "Alternateur 14 V", "14 V alternator", ["Plane-Power", "Prestolite"]),
                             ("SR-", "Démarreur", "Starter", ["Sky-Tec"])], 500),
    ("kits-projects", 0.6, [("KIT-", "Kit de construction", "Build kit", ["Van's Aircraft", "Zenith Aircraft",
                                                                         "Dyn'Aéro", "Colomban"])], 15000),
    ("engine-parts", 2.5, [("LW-", "Cylindre", "Cylinder", ["Lycoming", "Continental", "Superior"]),
                           ("4370", "Magnéto", "Magneto", ["Slick", "Bendix"]),
                           ("10-", "Carburateur", "Carburettor", ["Marvel-Schebler", "Bing"]),
                           ("REM", "Bougies (lot)", "Spark plugs (set)", ["Champion", "Tempest"])], 1500),
]
FREE_CATEGORIES = [
    # category, group, weight, kinds [(FR, EN, brand options)], price EUR
    ("headsets", "equipment", 1.6, [("Casque", "Headset", ["Bose A20", "Bose ProFlight 2", "Lightspeed Zulu 3",
                                                           "David Clark H10-13.4", "Sennheiser S1"])], 650),
    ("parachutes", "equipment", 0.5, [("Parachute dorsal", "Back parachute", ["Parasport", "Strong Enterprises",
                                                                             "Mayday"])], 1200),
    ("pilot-clothing", "equipment", 0.3, [("Blouson de vol", "Flight jacket", ["Alpha Industries", "Gibson & Barnes"])], 150),
    ("pilot-navigation", "equipment", 0.5, [("Tablette EFB", "EFB tablet", ["iPad mini + SkyDemon", "Air Navigation Pro",
                                                                            "Garmin Pilot"])], 400),
    ("oxygen-safety", "equipment", 0.3, [("Système d'oxygène", "Oxygen system", ["Mountain High EDS", "Aerox"])], 900),
    ("glider-trailers", "equipment", 0.5, [("Remorque de planeur", "Glider trailer", ["Cobra", "Anschau", "AMF"])], 7000),
    ("tools", "equipment", 0.4, [("Outillage", "Tools", ["Clé dynamométrique", "Compresseur", "Kit de sertissage"])], 400),
    ("aircraft-tugs", "equipment", 0.3, [("Tracteur d'avion", "Aircraft tug", ["Mototok", "Bradyhead", "Aero-Tow"])], 3500),
    ("covers-tie-down-kits", "equipment", 0.3, [("Housse", "Cover", ["Bruce's Custom Covers", "Kanopy"])], 450),
    ("fuel-equipment", "equipment", 0.2, [("Pompe à carburant", "Fuel pump", ["Piusi", "Gespasa"])], 1200),
    ("maintenance", "service", 0.5, [("Maintenance", "Maintenance", ["Visite 50 h / 100 h", "Visite annuelle",
                                                                      "Révision moteur"])], 1200),
    ("ferry-flights", "service", 0.2, [("Convoyage", "Ferry flight", ["Europe", "France", "Transatlantique"])], 1500),
    ("flight-training", "service", 0.2, [("Formation", "Flight training", ["PPL", "LAPL", "Brevet ULM", "Vol de nuit",
                                                                            "Qualification montagne"])], 3000),
    ("aerial-photography", "service", 0.05, [("Photographie aérienne", "Aerial photography", ["Drone", "Avion"])], 600),
    ("paint-upholstery-services", "service", 0.05, [("Peinture avion", "Aircraft paint", ["Peinture complète",
                                                                                          "Sellerie"])], 9000),
]
OTHER_WEIGHTS = {  # share of all listings, per group (aircraft: 70)
    "engine": 5, "propeller": 3, "avionics": 7, "part": 6, "free": 5.5, "hangar": 2.2, "share": 1.3,
}

STATUS_WEIGHTS = [("published", 85), ("reserved", 5), ("sold", 5), ("draft", 2.5), ("expired", 2.5)]

FIRST_FR = ["Jean", "Pierre", "Michel", "Philippe", "Alain", "Nicolas", "Christophe", "Laurent", "Éric",
            "Frédéric", "Stéphane", "Olivier", "Julien", "Thomas", "Marie", "Nathalie", "Isabelle",
            "Sophie", "Catherine", "Céline", "Hélène", "Amélie", "François", "Jérôme", "Benoît", "Gaëlle"]
LAST_FR = ["Martin", "Bernard", "Dubois", "Durand", "Lefèvre", "Moreau", "Laurent", "Simon", "Michel",
           "Garnier", "Faure", "Rousseau", "Blanc", "Guérin", "Muller", "Henry", "Roussel", "Nicolas",
           "Perrin", "Morin", "Mathieu", "Clément", "Gauthier", "Dumont", "Lopez", "Fontaine", "Chevalier"]
FIRST_EN = ["James", "John", "Peter", "David", "Richard", "Mark", "Paul", "Andrew", "Emma", "Sarah",
            "Claire", "Hans", "Klaus", "Stefan", "Markus", "Anna", "Luca", "Marco", "Giulia", "Pablo",
            "Javier", "Jan", "Pieter", "Lars", "Thomas", "Oliver"]
LAST_EN = ["Smith", "Jones", "Taylor", "Brown", "Wilson", "Evans", "Walker", "Müller", "Schmidt",
           "Schneider", "Fischer", "Weber", "Rossi", "Bianchi", "García", "Fernández", "de Vries",
           "Janssens", "Peeters", "Keller", "Meier", "Hansen", "Novák", "Kowalski", "O'Brien"]
COMPANY_PATTERNS = [
    ("Aéro Services {city}", "SARL"), ("Atelier Aéronautique {city}", "SAS"), ("{city} Aviation", "SAS"),
    ("ULM {city}", "SARL"), ("Avionique {city}", "SARL"), ("Aéroclub de {city}", None),
    ("{city} Aircraft Sales", "Ltd"), ("{city} Flugzeugbau", "GmbH"), ("Aviazione {city}", "Srl"),
    ("Hélices {city}", "SARL"), ("{city} Air Maintenance", "Ltd"), ("Alpine Aircraft {city}", "AG"),
]
CITIES_FOR_COMPANIES = ["Chartres", "Toussus", "Angers", "Tours", "Pontoise", "Cannes", "Lyon", "Toulouse",
                        "Bordeaux", "Nantes", "Lille", "Reims", "Annecy", "Dijon", "Grenoble", "Rennes",
                        "Caen", "Genève", "Bern", "Antwerp", "Egelsbach", "Bremen", "Biggin Hill",
                        "Milano", "Cuatro Vientos", "Lelystad", "Wiener Neustadt", "Luxembourg"]

PHOTO_HASHES = [hashlib.sha256(f"hangar-bench-photo-{i}".encode()).hexdigest() for i in range(8)]  # no files needed


# ------------------------------------------------------------------------------------------
# Helpers


def fmt_ts(epoch):
    """An epoch (seconds, float) as a timestamptz literal in UTC."""
    return dt.datetime.fromtimestamp(epoch, dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f+00")


def fmt_date(epoch):
    return dt.datetime.fromtimestamp(epoch, dt.timezone.utc).strftime("%Y-%m-%d")


def fmt_bool(value):
    if value is None:
        return None
    return "t" if value else "f"


def one_decimal(value):
    return None if value is None else round(value * 10) / 10


def hours_text(value):
    return f"{value:,.0f}".replace(",", "\u202f")


class Weighted:
    """Choice among items with weights, by bisection on cumulative weights."""

    def __init__(self, pairs):
        pairs = [(item, w) for item, w in pairs if w > 0]
        if not pairs:
            raise ValueError("nothing to choose from")
        self.items = [p[0] for p in pairs]
        self.cum = []
        total = 0.0
        for _, w in pairs:
            total += w
            self.cum.append(total)
        self.total = total

    def pick(self, rng):
        i = bisect.bisect_right(self.cum, rng.random() * self.total)
        return self.items[min(i, len(self.items) - 1)]


class Uuid7:
    """UUIDv7 (as the API's Uuid::now_v7) for a given time, random bits from a seeded RNG."""

    def __init__(self, rng):
        self.rng = rng

    def make(self, epoch):
        ms = int(epoch * 1000) & ((1 << 48) - 1)
        rand = self.rng.getrandbits(74)
        value = (ms << 80) | (0x7 << 76) | ((rand >> 62) << 64) | (0b10 << 62) | (rand & ((1 << 62) - 1))
        h = "%032x" % value
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


# ------------------------------------------------------------------------------------------
# The catalogue (from the target database)

CATALOGUE_SQL = """
SELECT json_build_object(
  'categories', (SELECT json_agg(json_build_object('id', c.id, 'slug', c.slug, 'parent', p.slug,
                                                   'group', c.attribute_group, 'active', c.active))
                 FROM categories c LEFT JOIN categories p ON p.id = c.parent_id),
  'makes', (SELECT json_agg(json_build_object('slug', slug, 'name', name, 'kinds', kinds)) FROM makes),
  'models', (SELECT json_agg(json_build_object('make', mk.slug, 'name', mo.name) ORDER BY mk.slug, mo.name)
             FROM models mo JOIN makes mk ON mk.id = mo.make_id),
  'airfields', (SELECT json_agg(json_build_object('icao', icao, 'name', name, 'city', city,
                                                  'country', country, 'lat', lat, 'lon', lon) ORDER BY icao)
                FROM airfields WHERE country = ANY (%s))
)
"""


def catalogue_from_db(url):
    countries = "ARRAY[" + ",".join(f"'{c}'" for c in COUNTRY_WEIGHTS) + "]::bpchar[]"
    out = subprocess.run(["psql", url, "-X", "-At", "-v", "ON_ERROR_STOP=1", "-c", CATALOGUE_SQL % countries],
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def load_catalogue(args):
    if args.catalogue:
        with open(args.catalogue, encoding="utf-8") as f:
            cat = json.load(f)
    elif args.db:
        cat = catalogue_from_db(args.db)
    else:
        sys.exit("generate.py: give --catalogue FILE or --db URL")
    if not cat.get("airfields"):
        sys.exit("generate.py: the catalogue has no airfields (start the API or run `api migrate` once first)")
    return cat


# ------------------------------------------------------------------------------------------
# Users


def user_count(args):
    return args.users or max(2000, min(5000, args.count // 200))


def make_users(args):
    """The users, deterministic from the seed: list of dicts (also used to pick sellers)."""
    rng = random.Random(f"{args.seed}/users")
    ids = Uuid7(rng)
    now = args.now_epoch
    users = []
    for n in range(user_count(args)):
        professional = rng.random() < 0.13
        french = rng.random() < 0.7
        first = rng.choice(FIRST_FR if french else FIRST_EN)
        last = rng.choice(LAST_FR if french else LAST_EN)
        created = now - rng.uniform(130, 3 * 365) * 86400
        company = company_reg = None
        if professional:
            pattern, form = rng.choice(COMPANY_PATTERNS)
            city = rng.choice(CITIES_FOR_COMPANIES)
            display = pattern.format(city=city)
            if n % 7 == 0:
                display = f"{display} {n}"
            company = f"{display} {form}" if form else display
            company_reg = f"{rng.randint(300, 999)} {rng.randint(100, 999)} {rng.randint(100, 999)} {rng.randint(10000, 99999)}"
        elif rng.random() < 0.08:
            display = f"Aéroclub {rng.choice(CITIES_FOR_COMPANIES)}" if french else f"{rng.choice(CITIES_FOR_COMPANIES)} Flying Club"
        else:
            display = f"{first} {last}" if rng.random() < 0.7 else f"{first} {last[0]}."
        status = "suspended" if rng.random() < 0.01 else "active"
        users.append({
            "id": ids.make(created),
            "email": f"user{n}@bench.hangar.test",
            "email_verified_at": fmt_ts(created + 600) if rng.random() < 0.96 else None,
            # Not a usable hash: benchmark accounts cannot log in.
            "password_hash": "$argon2id$v=19$m=19456,t=2,p=1$YmVuY2gtbm8tbG9naW4$bench-accounts-cannot-log-in",
            "display_name": display[:60],
            "locale": "fr" if french else "en",
            "account_type": "professional" if professional else "private",
            "company_name": company[:120] if company else None,
            "company_registration": company_reg,
            "phone": (f"+33 6 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}"
                      if french else f"+49 171 {rng.randint(1000000, 9999999)}") if rng.random() < 0.6 else None,
            "show_phone": rng.random() < 0.4,
            "role": "user",
            "status": status,
            "created_at": fmt_ts(created),
            "updated_at": fmt_ts(created),
            "suspended_at": fmt_ts(now - rng.uniform(1, 100) * 86400) if status == "suspended" else None,
            "professional": professional,
        })
    return users


def cmd_users(args):
    out = csv.writer(sys.stdout, lineterminator="\n")
    for u in make_users(args):
        out.writerow([fmt_bool(u[c]) if isinstance(u[c], bool) else u[c] for c in USER_COLUMNS])


# ------------------------------------------------------------------------------------------
# Listings


class World:
    """Everything the row generator picks from, built once from the catalogue."""

    def __init__(self, args, cat):
        self.args = args
        self.categories = {c["slug"]: c for c in cat["categories"] if c["active"]}
        self.make_names = {m["slug"]: m["name"] for m in cat["makes"]}
        models = {}
        for m in cat["models"]:
            models.setdefault(m["make"], []).append(m["name"])
        self.models = models

        # Aircraft: one entry per (make, model) with its merged spec.
        by_kind = {}
        for slug, kind, weight, defaults, rules in AIRCRAFT:
            if slug not in self.make_names or slug not in models:
                continue
            entries = []
            for model in models[slug]:
                spec = dict(defaults)
                spec.setdefault("w", 1.0)
                for pattern, overrides in rules:
                    if re.search(pattern, model):
                        spec.update(overrides)
                if spec["cat"] not in self.categories or spec["w"] <= 0:
                    continue
                entries.append(((self.make_names[slug], model, spec), spec["w"]))
            if not entries:
                continue
            total = sum(w for _, w in entries)
            by_kind.setdefault(kind, []).extend((item, weight * w / total) for item, w in entries)
        self.aircraft = {k: Weighted(v) for k, v in by_kind.items()}
        self.aircraft_kinds = Weighted([(k, w) for k, w in KIND_WEIGHTS.items() if k in self.aircraft])

        engines = []
        for slug, category, weight, patterns, tbo, price, power in ENGINE_SPECS:
            if slug not in models or category not in self.categories:
                continue
            names = [m for m in models[slug] if not patterns or any(re.search(p, m) for p in patterns)]
            for name in names:
                engines.append(((self.make_names[slug], name, category, tbo, price, power), weight / len(names)))
        self.engines = Weighted(engines)
        props = []
        for slug, category, weight, pitch, blades, price in PROPELLER_SPECS:
            if slug not in models:
                continue
            for name in models[slug]:
                cat_slug, p = category, pitch
                if "Ground-adjustable" in name:
                    cat_slug, p = "ground-adjustable-propellers", "ground_adjustable"
                elif slug in ("mccauley", "woodcomp") and re.search(r"2A34|B2D|SR 3000", name):
                    cat_slug, p = "variable-pitch-propellers", "variable"
                if cat_slug in self.categories:
                    props.append(((self.make_names[slug], name, cat_slug, p, blades, price), weight / len(models[slug])))
        self.propellers = Weighted(props)
        avionics = []
        for slug, weight in AVIONICS_WEIGHTS.items():
            if slug not in models:
                continue
            for name in models[slug]:
                category = next(c for pattern, c in AVIONICS_CATEGORY_RULES if re.search(pattern, name))
                if category in self.categories:
                    avionics.append(((self.make_names[slug], name, category), weight / len(models[slug])))
        self.avionics = Weighted(avionics)
        self.parts = Weighted([(p, p[1]) for p in PART_CATEGORIES if p[0] in self.categories])
        self.free = Weighted([(f, f[2]) for f in FREE_CATEGORIES if f[0] in self.categories])
        self.compatible = [f"{self.make_names[s]} {m}" for s, *_ in AIRCRAFT[:8] if s in models
                           for m in models[s]]
        groups = dict(OTHER_WEIGHTS)
        if "hangar-space" not in self.categories:
            groups.pop("hangar")
        if "shares" not in self.categories:
            groups.pop("share")
        groups["aircraft"] = 70
        self.groups = Weighted(list(groups.items()))
        self.statuses = Weighted(STATUS_WEIGHTS)

        # Airfields: per country, a Zipf-like popularity over a seeded shuffle, busy fields boosted.
        rng = random.Random(f"{args.seed}/airfields")
        per_country = {}
        for a in cat["airfields"]:
            per_country.setdefault(a["country"], []).append(a)
        self.airfields_by_country = {}
        for country, fields in per_country.items():
            fields = sorted(fields, key=lambda a: a["icao"])
            rng.shuffle(fields)
            pairs = [(a, BUSY_AIRFIELDS.get(a["icao"], 0) * 0.05 + 1.0 / (rank + 3) ** 0.9)
                     for rank, a in enumerate(fields)]
            self.airfields_by_country[country] = Weighted(pairs)
        self.countries = Weighted([(c, w) for c, w in COUNTRY_WEIGHTS.items() if c in self.airfields_by_country])
        self.by_icao = {a["icao"]: a for a in cat["airfields"]}
        self.busy = [a for a in BUSY_AIRFIELDS if a in self.by_icao]


def kind_of(category):
    """What flies in a category, for registrations and texts."""
    if category.startswith("ulm") or category == "paramotors":
        return ULM
    if category in ("sailplanes", "motor-gliders", "self-launching-gliders"):
        return GLIDER
    if category.endswith("helicopters"):
        return HELI
    if category in ("hot-air-balloons", "gas-balloons", "airships"):
        return BALLOON
    return PLANE


def registration(rng, country, kind):
    L = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

    def letters(n):
        return "".join(rng.choice(L) for _ in range(n))

    def digits(n):
        return "".join(rng.choice("0123456789") for _ in range(n))

    if country == "FR":
        if kind == ULM:
            return f"{rng.randint(1, 95):02d}-{letters(rng.choice((2, 2, 3)))}"
        if kind == GLIDER:
            return "F-C" + letters(3)
        return "F-" + rng.choice("GGGGBH") + letters(3)
    if country == "DE":
        if kind == GLIDER:
            return "D-" + digits(4)
        prefix = {ULM: "M", HELI: "H", BALLOON: "O"}.get(kind, "E")
        return f"D-{prefix}{letters(3)}"
    if country == "GB":
        return "G-" + letters(4)
    if country == "CH":
        return "HB-" + (digits(4) if kind == GLIDER else letters(3))
    if country == "BE":
        return "OO-" + (f"{rng.choice(L)}{digits(2)}" if kind == ULM else letters(3))
    if country == "IT":
        return "I-" + (f"{rng.randint(1, 9)}{letters(3)}" if kind == ULM else letters(4))
    if country == "ES":
        return "EC-" + letters(3)
    if country == "US":
        return "N" + str(rng.randint(1, 9)) + digits(2) + "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(2))
    prefix = {"NL": "PH", "AT": "OE", "LU": "LX", "PT": "CS", "DK": "OY", "SE": "SE", "PL": "SP",
              "CZ": "OK", "IE": "EI"}.get(country, "F")
    return f"{prefix}-{letters(3)}"


FR_MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
             "octobre", "novembre", "décembre"]
EN_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
             "October", "November", "December"]


def aircraft_listing(rng, w, now, country, airfield, french, professional):
    """Title, description, attributes and typed columns of an aircraft."""
    make, model, spec = w.aircraft[w.aircraft_kinds.pick(rng)].pick(rng)
    kind = kind_of(spec["cat"])
    this_year = dt.datetime.fromtimestamp(now, dt.timezone.utc).year
    lo, hi, mode = spec["years"]
    hi = min(hi, this_year)
    lo = min(lo, hi)
    mode = min(max(mode, lo), hi)
    year = int(round(rng.triangular(lo, hi, mode)))
    age = max(0.3, this_year - year + rng.random())
    ttaf = age * spec["hpy"] * rng.lognormvariate(0, 0.45)
    ttaf = min(ttaf, 30000.0)
    ttaf = round(ttaf) if rng.random() < 0.7 else round(ttaf, 1)
    eng = spec["eng"]
    attrs = {"make": make, "model": model, "year": year}
    if rng.random() < 0.9:
        attrs["registration"] = registration(rng, country, kind)
    attrs["ttaf_hours"] = float(ttaf)
    engine_total = smoh = tbo = None
    if eng:
        e_make, e_model, tbo = eng
        tbo = float(tbo)
        engine_total = float(ttaf) if rng.random() < 0.5 else ttaf * rng.uniform(0.3, 1.0)
        if engine_total < tbo * 0.95 and rng.random() < 0.6:
            smoh = engine_total  # never overhauled
        else:
            smoh = min(engine_total, tbo) * rng.uniform(0.02, 0.97)
        engine_total, smoh = round(engine_total, 1), round(float(smoh), 1)
        smoh = min(smoh, engine_total)
        attrs["engine_make"] = e_make
        attrs["engine_model"] = e_model
        if rng.random() < 0.75:
            attrs["engine_hours_since_new"] = engine_total
        else:
            engine_total = None
        attrs["engine_smoh"] = smoh
        attrs["engine_tbo_hours"] = tbo
        if smoh is not None and engine_total is not None and smoh < engine_total and rng.random() < 0.4:
            years_since = min(age, smoh / max(spec["hpy"], 1) + rng.random())
            attrs["engine_overhaul_date"] = fmt_date(now - years_since * 365.25 * 86400)
    if kind in (PLANE, ULM) and eng and rng.random() < 0.3:
        attrs["propeller_type"] = rng.choice(["Sensenich bois", "Hartzell métal", "MT-Propeller composite",
                                              "Duc Swirl", "E-Props Durandal", "McCauley 1C160"])
    seats = spec["seats"]
    if seats:
        attrs["seats"] = seats
    if kind != BALLOON and rng.random() < 0.35:
        mtow = {PLANE: 1000, ULM: 600, GLIDER: 525, HELI: 1100}[kind] * rng.uniform(0.8, 1.5)
        attrs["mtow_kg"] = int(mtow)
        attrs["empty_mass_kg"] = int(mtow * rng.uniform(0.5, 0.7))
    fuel = spec.get("fuel") if eng else None
    if fuel:
        attrs["fuel"] = fuel
    ifr = rng.random() < spec["ifr"]
    attrs["ifr"] = ifr
    pool = GLIDER_AVIONICS if kind == GLIDER else ULM_AVIONICS if kind == ULM else AVIONICS_ITEMS
    n_avionics = 0 if kind == BALLOON else min(len(pool), int(rng.triangular(0, 6 if ifr else 4, 2)))
    attrs["avionics"] = rng.sample(pool, n_avionics)
    if rng.random() < 0.6:
        attrs["elt"] = rng.random() < 0.8
    if rng.random() < 0.5:
        attrs["arc_expiry"] = fmt_date(now + rng.uniform(-30, 365) * 86400)
    if rng.random() < 0.4:
        attrs["last_annual_inspection"] = fmt_date(now - rng.uniform(10, 400) * 86400)
    r = rng.random()
    damage = "none" if r < 0.85 else "repaired" if r < 0.9 else None
    if damage:
        attrs["damage"] = damage
    if damage == "repaired":
        attrs["damage_details"] = rng.choice([
            "Atterrissage dur en 2014, train refait par atelier agréé.",
            "Choc d'hélice au sol en 2017, moteur inspecté (shock load), hélice remplacée.",
            "Hail damage in 2012, wings reskinned by an approved shop.",
            "Prop strike in 2018, engine inspected and returned to service.",
        ])
    if rng.random() < 0.8:
        attrs["hangared"] = rng.random() < 0.8
    if rng.random() < 0.7:
        attrs["logbooks_complete"] = rng.random() < 0.9
    if kind == ULM and rng.random() < 0.5:
        attrs["parachute_system"] = rng.random() < 0.6

    price = spec["price"] * rng.lognormvariate(0, 0.3)
    mid = (lo + hi) / 2
    price *= max(0.4, min(1.8, 1 + 0.015 * (year - mid)))
    if tbo and smoh is not None:
        price *= 0.85 + 0.3 * (1 - smoh / tbo)
    price = max(1000, round(price / 500) * 500)

    cat_slug = spec["cat"]
    reg = attrs.get("registration", "")
    pot = (tbo - smoh) if (tbo and smoh is not None) else None
    name = airfield["name"] if airfield else None
    title, description = aircraft_text(rng, french, make, model, year, reg, ttaf, smoh, tbo, pot, engine_total,
                                       attrs, name, airfield["icao"] if airfield else None, kind, professional,
                                       now)
    typed = dict(make=make, model=model, year=year, registration=attrs.get("registration"),
                 ttaf_hours=one_decimal(ttaf), engine_hours=one_decimal(engine_total),
                 smoh_hours=one_decimal(smoh), tbo_hours=one_decimal(tbo), seats=seats, ifr=ifr, fuel=fuel)
    condition = "used"
    r = rng.random()
    if year >= this_year - 1 and r < 0.4:
        condition = "new"
    elif r < 0.04:
        condition = "for_parts"
    elif r < 0.08 and eng:
        condition = "overhauled"
    return cat_slug, title, description, attrs, typed, price, condition


def aircraft_text(rng, fr, make, model, year, reg, ttaf, smoh, tbo, pot, engine_total, attrs, field, icao, kind,
                  professional, now):
    h = hours_text
    avionics = attrs.get("avionics", [])
    if fr:
        t = rng.random()
        if t < 0.35:
            title = f"{make} {model} de {year}"
        elif t < 0.6:
            title = f"Vends {make} {model} {year}"
        elif t < 0.8:
            title = f"{make} {model} {reg or year}"
        else:
            title = f"{model} {year} – {make}"
        extras = []
        if smoh is not None:
            extras.append(rng.choice([f"moteur {h(smoh)} h", f"potentiel {h(pot)} h", f"{h(smoh)} h depuis RG"]))
        else:
            extras.append(f"{h(ttaf)} h cellule")
        if attrs.get("hangared"):
            extras.append(rng.choice(["hangaré", "toujours hangaré"]))
        if attrs["ifr"]:
            extras.append("équipé IFR")
        if avionics and rng.random() < 0.4:
            extras.append(avionics[0])
        if rng.random() < 0.15:
            extras.append(rng.choice(["peinture neuve", "intérieur refait", "prix en baisse", "très bon état"]))
        title = title + ", " + ", ".join(extras[: rng.randint(1, 3)])
        parts = [rng.choice([
            f"À vendre {make} {model} de {year}" + (f", immatriculé {reg}" if reg else "") + ".",
            f"Je vends mon {make} {model} ({year})" + (f", basé à {field}" if field else "") + ".",
            f"{'Notre atelier propose' if professional else 'Copropriété vend'} ce {make} {model} de {year}.",
        ])]
        parts.append(f"Cellule : {h(ttaf)} heures de vol." if kind != BALLOON else f"Enveloppe : {h(ttaf)} heures de vol.")
        if smoh is not None:
            engine = f"{attrs.get('engine_make', '')} {attrs.get('engine_model', '')}".strip()
            parts.append(rng.choice([
                f"Moteur {engine} : {h(smoh)} h depuis révision générale, TBO {h(tbo)} h (potentiel restant {h(pot)} h).",
                f"Moteur {engine} {h(smoh)} h, TBO {h(tbo)} h" + (f", {h(engine_total)} h depuis neuf." if engine_total else "."),
            ]))
        if attrs.get("propeller_type"):
            parts.append(f"Hélice {attrs['propeller_type']}, révisée en {rng.randint(max(year, 2000), 2025)}.")
        elif kind in (PLANE, ULM) and rng.random() < 0.4:
            parts.append(rng.choice(["Hélice neuve.", "Hélice bois refaite à neuf.", "Hélice à pas variable révisée."]))
        if avionics:
            parts.append("Avionique : " + ", ".join(avionics) + ".")
        pool = [
            "Toujours hangaré, jamais resté dehors." if attrs.get("hangared") else "Stationné en parking extérieur, bâché.",
            "Carnets de route, de cellule et de moteur complets depuis l'origine.",
            f"Entretien suivi en atelier Part-CAO, visite annuelle faite en {rng.choice(FR_MONTHS)} {rng.randint(2024, 2025)}.",
            f"CEN / ARC valide jusqu'en {rng.choice(FR_MONTHS)} {rng.randint(2026, 2027)}.",
            "Jamais accidenté." if attrs.get("damage") != "repaired" else "Un incident réparé, dossier complet disponible.",
            f"Peinture refaite en {rng.randint(max(year, 1995), 2025)}, sellerie cuir en bon état.",
            "Consommation environ 28 l/h à 110 kt." if kind == PLANE else "Consommation environ 14 l/h.",
            "Essai en vol possible avec instructeur.",
            f"Visible sur rendez-vous à {icao}." if icao else "Visible sur rendez-vous.",
            "Prix à débattre, échange étudié." if rng.random() < 0.5 else "Prix ferme.",
            "Facture TVA possible." if professional else "Vente suite à changement de machine.",
            "Idéal pour voyage en famille ou navigation." if kind == PLANE else "Machine agréable et économique.",
            "Contact par messagerie de préférence, réponse rapide.",
        ]
    else:
        t = rng.random()
        if t < 0.4:
            title = f"{year} {make} {model}"
        elif t < 0.7:
            title = f"For sale: {make} {model} ({year})"
        else:
            title = f"{make} {model} {reg or year}"
        extras = []
        if smoh is not None:
            extras.append(rng.choice([f"{h(smoh)} SMOH", f"{h(pot)} h to TBO", f"engine {h(smoh)} h"]))
        else:
            extras.append(f"{h(ttaf)} TT")
        if attrs.get("hangared"):
            extras.append("hangared")
        if attrs["ifr"]:
            extras.append("IFR equipped")
        if avionics and rng.random() < 0.4:
            extras.append(avionics[0])
        if rng.random() < 0.15:
            extras.append(rng.choice(["fresh annual", "new paint", "low hours", "price reduced"]))
        title = title + ", " + ", ".join(extras[: rng.randint(1, 3)])
        parts = [rng.choice([
            f"{make} {model} built in {year}" + (f", registered {reg}" if reg else "") + ".",
            f"Selling my {make} {model} ({year})" + (f", based at {field}" if field else "") + ".",
            f"{'We offer' if professional else 'Our group is selling'} this {year} {make} {model}.",
        ])]
        parts.append(f"Airframe: {h(ttaf)} hours total time." if kind != BALLOON else f"Envelope: {h(ttaf)} hours.")
        if smoh is not None:
            engine = f"{attrs.get('engine_make', '')} {attrs.get('engine_model', '')}".strip()
            parts.append(rng.choice([
                f"Engine {engine}: {h(smoh)} hours since major overhaul, TBO {h(tbo)} h ({h(pot)} h remaining).",
                f"{engine} engine {h(smoh)} SMOH, TBO {h(tbo)}" + (f", {h(engine_total)} h since new." if engine_total else "."),
            ]))
        if attrs.get("propeller_type"):
            parts.append(f"Propeller {attrs['propeller_type']}, overhauled in {rng.randint(max(year, 2000), 2025)}.")
        elif kind in (PLANE, ULM) and rng.random() < 0.4:
            parts.append(rng.choice(["New propeller.", "Wooden propeller refurbished.", "Constant-speed propeller overhauled."]))
        if avionics:
            parts.append("Avionics: " + ", ".join(avionics) + ".")
        pool = [
            "Always hangared." if attrs.get("hangared") else "Kept outside under a cover.",
            "Complete logbooks since new.",
            f"Annual inspection done in {rng.choice(EN_MONTHS)} {rng.randint(2024, 2025)} by an approved shop.",
            f"ARC valid until {rng.choice(EN_MONTHS)} {rng.randint(2026, 2027)}.",
            "No damage history." if attrs.get("damage") != "repaired" else "One repaired incident, full paperwork.",
            f"Paint done in {rng.randint(max(year, 1995), 2025)}, leather interior in good condition.",
            "Burns about 28 l/h at 110 kt." if kind == PLANE else "Low running costs.",
            "Test flight possible with an instructor.",
            f"Viewing by appointment at {icao}." if icao else "Viewing by appointment.",
            "Price negotiable, part exchange considered." if rng.random() < 0.5 else "Price firm.",
            "VAT invoice available." if professional else "Selling because I am upgrading.",
            "Great touring aircraft." if kind == PLANE else "Fun and economical to fly.",
            "Contact me through the messaging, quick answer.",
        ]
    parts.extend(rng.sample(pool, rng.randint(3, 7)))
    return title[:120], " ".join(parts) if rng.random() < 0.5 else "\n".join(parts)


def other_listing(rng, w, group, now, airfield, french, professional):
    """Title, description, attributes and typed columns of a non-aircraft listing."""
    typed = {}
    icao = airfield["icao"] if airfield else None
    where = airfield["name"] if airfield else None
    condition = "used"
    if group == "engine":
        make, model, cat_slug, tbo, price, power = w.engines.pick(rng)
        hours = round(rng.uniform(0, 1.4) * tbo, 1)
        smoh = round(min(hours, tbo) * rng.uniform(0, 0.95), 1)
        r = rng.random()
        if r < 0.35:
            condition, smoh = "overhauled", 0.0
        elif r < 0.4:
            condition, hours, smoh = "new", 0.0, 0.0
        elif r < 0.5:
            condition = "for_parts"
        attrs = {"make": make, "model": model, "power_hp": rng.randint(*power), "hours_since_new": hours,
                 "smoh": smoh, "tbo_hours": float(tbo), "sale": "exchange" if rng.random() < 0.2 else "outright"}
        if rng.random() < 0.5:
            attrs["serial_number"] = f"L-{rng.randint(10000, 99999)}-{rng.choice(['36A', '27A', '51E'])}"
        if condition == "overhauled":
            attrs["overhaul_date"] = fmt_date(now - rng.uniform(10, 700) * 86400)
            attrs["overhaul_shop"] = rng.choice(["Aero Engine Service", "Moteurs Loire Aviation",
                                                 "Sarl Moteurs Aéro", "Bücker Engine Shop"])
        typed = dict(make=make, model=model, engine_hours=one_decimal(hours), smoh_hours=one_decimal(smoh),
                     tbo_hours=float(tbo))
        price = price * rng.lognormvariate(0, 0.35) * (1.2 if condition in ("new", "overhauled") else
                                                       0.3 if condition == "for_parts" else 1)
        if french:
            title = rng.choice([f"Moteur {make} {model}", f"{make} {model} {h_or(smoh, condition, True)}",
                                f"Vends moteur {make} {model}"])
            desc = (f"Moteur {make} {model} de {attrs['power_hp']} ch, {hours_text(hours)} h depuis neuf, "
                    f"{hours_text(smoh)} h depuis révision générale, TBO {hours_text(tbo)} h. "
                    + rng.choice(["Documents et traçabilité complets.", "Livré avec Form 1.", "Déposé pour changement de machine."])
                    + " " + rng.choice(["Envoi possible partout en Europe.", f"À retirer à {where or 'l’atelier'}."]))
        else:
            title = rng.choice([f"{make} {model} engine", f"{make} {model} {h_or(smoh, condition, False)}",
                                f"For sale: {make} {model} engine"])
            desc = (f"{make} {model} engine, {attrs['power_hp']} hp, {hours_text(hours)} hours since new, "
                    f"{hours_text(smoh)} hours since major overhaul, TBO {hours_text(tbo)} h. "
                    + rng.choice(["Full traceability.", "Comes with an EASA Form 1.", "Removed for an upgrade."])
                    + " " + rng.choice(["Shipping across Europe possible.", f"Pick-up at {where or 'the shop'}."]))
    elif group == "propeller":
        make, model, cat_slug, pitch, blades, price = w.propellers.pick(rng)
        attrs = {"make": make, "model": model, "pitch": pitch, "blades": rng.randint(*blades)}
        if rng.random() < 0.6:
            attrs["hours_since_overhaul"] = round(rng.uniform(0, 1200), 1)
        typed = dict(make=make, model=model)
        price *= rng.lognormvariate(0, 0.35)
        if french:
            pitch_fr = {"fixed": "à pas fixe", "variable": "à pas variable", "ground_adjustable": "réglable au sol"}[pitch]
            title = f"Hélice {make} {model} {pitch_fr}"
            desc = (f"Hélice {make} {model} {pitch_fr}, {attrs['blades']} pales. "
                    + rng.choice(["Révisée, certificat disponible.", "Aucun choc, bords d'attaque en bon état.",
                                  "Déposée suite à changement de moteur."]) + " Envoi possible.")
        else:
            title = f"{make} {model} {pitch.replace('_', '-')} propeller"
            desc = (f"{make} {model} {pitch.replace('_', '-')} pitch propeller, {attrs['blades']} blades. "
                    + rng.choice(["Overhauled, paperwork available.", "No strike, leading edges in good shape.",
                                  "Removed after an engine change."]) + " Shipping possible.")
    elif group == "avionics":
        brand, model, cat_slug = w.avionics.pick(rng)
        attrs = {"brand": brand, "model": model, "certified": rng.random() < 0.75, "with_tray": rng.random() < 0.6}
        if attrs["certified"] and rng.random() < 0.5:
            attrs["tso"] = rng.choice(["TSO-C112e", "TSO-C169a", "TSO-C146e", "TSO-C113a"])
        typed = dict(make=brand, model=model)
        price = AVIONICS_PRICE[cat_slug] * rng.lognormvariate(0, 0.4)
        r = rng.random()
        condition = "new" if r < 0.2 else "overhauled" if r < 0.25 else "used"
        if french:
            title = rng.choice([f"{brand} {model}", f"{brand} {model} avec rack", f"Vends {brand} {model}"])
            desc = (f"{brand} {model} " + ("neuf en boîte" if condition == "new" else "en parfait état de fonctionnement")
                    + (", avec rack et connecteurs" if attrs["with_tray"] else "") + ". "
                    + rng.choice(["Déposé lors d'une modernisation de l'avionique.", "Form 1 disponible.",
                                  "Testé au banc avant dépose."]))
        else:
            title = rng.choice([f"{brand} {model}", f"{brand} {model} with tray", f"For sale: {brand} {model}"])
            desc = (f"{brand} {model} " + ("new in box" if condition == "new" else "in perfect working order")
                    + (", with tray and connectors" if attrs["with_tray"] else "") + ". "
                    + rng.choice(["Removed during a panel upgrade.", "Form 1 available.", "Bench tested before removal."]))
    elif group == "part":
        cat_slug, _, kinds, price = w.parts.pick(rng)
        prefix, name_fr, name_en, makers = rng.choice(kinds)
        maker = rng.choice(makers)
        pn = f"{prefix}{rng.randint(100, 99999)}"
        part_condition = rng.choice(["new", "overhauled", "serviceable", "as_removed"])
        attrs = {"part_number": pn, "manufacturer": maker, "quantity": rng.choice([1, 1, 1, 2, 4]),
                 "condition": part_condition,
                 "release_certificate": rng.choice(["easa_form1", "easa_form1", "faa_8130_3", "none"]),
                 "compatible_types": rng.sample(w.compatible, rng.randint(0, 3))}
        typed = dict(make=maker)
        condition = {"new": "new", "overhauled": "overhauled", "serviceable": "used", "as_removed": "used"}[part_condition]
        price *= rng.lognormvariate(0, 0.6)
        fits = ", ".join(attrs["compatible_types"])
        if french:
            title = f"{name_fr} {maker} {pn}"
            desc = (f"{name_fr} {maker}, référence {pn}. " + (f"Compatible {fits}. " if fits else "")
                    + rng.choice(["Neuf, jamais monté.", "Déposé en état de fonctionnement.", "Révisé avec Form 1."])
                    + " Envoi en colis suivi.")
        else:
            title = f"{name_en} {maker} {pn}"
            desc = (f"{name_en} by {maker}, part number {pn}. " + (f"Fits {fits}. " if fits else "")
                    + rng.choice(["New, never fitted.", "Removed serviceable.", "Overhauled with Form 1."])
                    + " Tracked shipping.")
    elif group == "free":
        cat_slug, grp, _, kinds, price = w.free.pick(rng)
        name_fr, name_en, brands = rng.choice(kinds)
        brand = rng.choice(brands)
        details = {}
        if grp == "equipment":
            details["marque"] = brand
            if rng.random() < 0.5:
                details["année"] = str(rng.randint(2010, 2025))
        else:
            details["zone"] = rng.choice(["France", "Europe", "Suisse romande", "Benelux"])
            details["prestation"] = brand
        attrs = {"kind": (name_fr if french else name_en)[:60], "details": details}
        price *= rng.lognormvariate(0, 0.5)
        if grp == "equipment":
            condition = "new" if rng.random() < 0.2 else "used"
        if french:
            title = f"{name_fr} {brand}"
            desc = (f"{name_fr} {brand}. " + rng.choice(["Très bon état, peu servi.", "Neuf, jamais utilisé.",
                                                          "Devis gratuit sur demande.", "Disponible rapidement."])
                    + " " + rng.choice(["Remise en main propre ou envoi.", f"Basé à {where or 'Paris'}."]))
        else:
            title = f"{name_en} {brand}"
            desc = (f"{name_en} {brand}. " + rng.choice(["Very good condition, little used.", "New, never used.",
                                                          "Free quote on request.", "Available at short notice."])
                    + " " + rng.choice(["Collection or shipping.", f"Based at {where or 'Paris'}."]))
    elif group == "hangar":
        r = rng.random()
        cat_slug = "hangar-space" if r < 0.6 else "hangars-for-sale" if r < 0.8 else "tie-downs"
        if cat_slug not in w.categories:
            cat_slug = "hangar-space"
        offer = "sale" if cat_slug == "hangars-for-sale" else "monthly_rent"
        attrs = {"airfield_icao": icao or "LFPN", "width_m": round(rng.uniform(10, 25), 1),
                 "depth_m": round(rng.uniform(8, 20), 1), "door_height_m": round(rng.uniform(2.5, 5), 1),
                 "offer": offer}
        price = (rng.lognormvariate(math.log(90000), 0.5) if offer == "sale" else rng.lognormvariate(math.log(220), 0.4))
        if french:
            title = {"hangar-space": f"Place de hangar à {icao}", "hangars-for-sale": f"Hangar à vendre à {icao}",
                     "tie-downs": f"Parking extérieur à {icao}"}[cat_slug]
            desc = (f"{title} ({where}). Porte de {attrs['door_height_m']} m de haut, "
                    f"{attrs['width_m']} × {attrs['depth_m']} m. Accès 24 h/24, électricité.")
        else:
            title = {"hangar-space": f"Hangar space at {icao}", "hangars-for-sale": f"Hangar for sale at {icao}",
                     "tie-downs": f"Tie-down at {icao}"}[cat_slug]
            desc = (f"{title} ({where}). Door height {attrs['door_height_m']} m, "
                    f"{attrs['width_m']} × {attrs['depth_m']} m. 24/7 access, power.")
    else:  # share
        cat_slug = "shares"
        make, model, spec = w.aircraft[PLANE].pick(rng)
        d = rng.choice([2, 3, 4, 4, 5, 6, 8, 10])
        attrs = {"fraction": f"1/{d}", "base_airfield_icao": icao or "LFPN",
                 "monthly_fixed_cost": rng.randint(80, 400) * 100, "hourly_wet_rate": rng.randint(90, 260) * 100}
        price = spec["price"] / d * rng.lognormvariate(0, 0.3)
        if french:
            title = f"Part 1/{d} {make} {model} basé à {icao}"
            desc = (f"Copropriété de {d} pilotes vend une part de {make} {model} basé à {where}. "
                    f"Frais fixes {attrs['monthly_fixed_cost'] // 100} €/mois, heure de vol {attrs['hourly_wet_rate'] // 100} € essence comprise. "
                    "Réservation en ligne, bonne ambiance.")
        else:
            title = f"1/{d} share in a {make} {model} at {icao}"
            desc = (f"Group of {d} pilots selling a share in a {make} {model} based at {where}. "
                    f"Fixed costs {attrs['monthly_fixed_cost'] // 100} EUR/month, {attrs['hourly_wet_rate'] // 100} EUR per hour wet. "
                    "Online booking, friendly group.")
    price = max(10, round(price / 10) * 10)
    return cat_slug, title[:120], desc, attrs, typed, price, condition


def h_or(smoh, condition, fr):
    if condition == "new":
        return "neuf" if fr else "new"
    if condition == "overhauled":
        return "révisé 0 h" if fr else "zero-timed"
    return f"{hours_text(smoh)} h SMOH"


def cmd_listings(args):
    cat = load_catalogue(args)
    w = World(args, cat)
    users = make_users(args)
    rng = random.Random(f"{args.seed}/listings")
    ids = Uuid7(random.Random(f"{args.seed}/listing-ids"))
    photo_ids = Uuid7(random.Random(f"{args.seed}/photo-ids"))
    now = args.now_epoch
    day = 86400.0

    # Sellers: professionals hold ~45 % of the listings; a few large dealers and clubs.
    pros = [u for u in users if u["professional"]]
    privates = [u for u in users if not u["professional"]]
    sellers_pro = Weighted([(u, 1 / (i + 1) ** 0.8) for i, u in enumerate(pros)]) if pros else None
    sellers_private = Weighted([(u, 1 / (i + 5) ** 0.5) for i, u in enumerate(privates)])

    out = csv.writer(sys.stdout, lineterminator="\n")
    photos = csv.writer(open(args.photos, "w", encoding="utf-8", newline=""), lineterminator="\n") if args.photos else None
    events = csv.writer(open(args.events, "w", encoding="utf-8", newline=""), lineterminator="\n") if args.events else None
    stats = {"french": 0, "photos": 0, "statuses": {}}
    started = time.time()
    for n in range(args.count):
        seller = sellers_pro.pick(rng) if (sellers_pro and rng.random() < 0.45) else sellers_private.pick(rng)
        professional = seller["professional"]
        status = w.statuses.pick(rng)
        country = w.countries.pick(rng)
        airfield = w.airfields_by_country[country].pick(rng)
        french = rng.random() < FRENCH_SHARE.get(country, FRENCH_SHARE_ELSEWHERE)
        group = w.groups.pick(rng)
        with_airfield = rng.random() < 0.9
        if group in ("hangar", "share"):
            with_airfield = True
        if group == "aircraft":
            cat_slug, title, desc, attrs, typed, price_eur, condition = aircraft_listing(
                rng, w, now, country, airfield if with_airfield else None, french, professional)
        else:
            cat_slug, title, desc, attrs, typed, price_eur, condition = other_listing(
                rng, w, group, now, airfield if with_airfield else None, french, professional)
        category = w.categories[cat_slug]

        # Location: an airfield (coordinates copied), or a city (with coordinates half the time).
        city = postcode = lat = lon = None
        icao = None
        if with_airfield:
            icao, lat, lon = airfield["icao"], airfield["lat"], airfield["lon"]
        else:
            city = (airfield.get("city") or airfield["name"])[:100]
            postcode = f"{rng.randint(1000, 95999):05d}" if country == "FR" else None
            if rng.random() < 0.5:
                lat = max(-90.0, min(90.0, airfield["lat"] + rng.uniform(-0.2, 0.2)))
                lon = max(-180.0, min(180.0, airfield["lon"] + rng.uniform(-0.2, 0.2)))
        if status == "draft" and rng.random() < 0.3:
            icao = city = postcode = lat = lon = None
            loc_country = None
        else:
            loc_country = country

        # Price
        currency, rate = "EUR", 1.0
        if country in CURRENCY and rng.random() < OWN_CURRENCY_SHARE[country]:
            currency, rate = CURRENCY[country]
        r = rng.random()
        price_kind = "negotiable" if r < 0.55 else "fixed" if r < 0.9 else "on_request" if r < 0.97 else "exchange"
        if group in ("free", "part", "avionics", "propeller") and price_kind == "on_request":
            price_kind = "fixed"
        amount = None if price_kind == "on_request" else min(10_000_000_000, int(round(price_eur * rate)) * 100)
        vat = (rng.random() < 0.7) if professional else None

        # Dates (the API's lifecycle: created, published, expires 60 days later unless renewed).
        if status == "draft":
            created = now - rng.uniform(0.05, 120) * day
            published = expires = sold = reminder = None
        else:
            if status == "expired":
                published = now - rng.uniform(61, 180) * day
                expires = published + 60 * day
                reminder = expires - 7 * day
            else:
                published = now - (rng.random() ** 1.15) * 120 * day
                periods = int((now - published) / (60 * day)) + 1
                expires = published + periods * 60 * day
                if expires < now + 3600:
                    expires += 60 * day
                reminder = expires - 7 * day if expires - now < 7 * day else None
            created = published - rng.uniform(0, 3) * day * (rng.random() < 0.3)
            sold = None
            if status == "sold":
                sold = published + (now - published) * rng.uniform(0.3, 1.0)
                sold = min(sold, now - 60)
        updated = max(t for t in (created, published, sold) if t is not None)
        price_changed = amount is not None and status != "draft" and rng.random() < 0.1
        if price_changed:
            updated = max(updated, (published or created) + (now - (published or created)) * rng.uniform(0.2, 0.9))
            updated = min(updated, now - 60)
        version = 1 + (1 if status in ("reserved", "sold") else 0) + int(price_changed) + (rng.random() < 0.2)
        age_days = (now - (published or created)) / day
        views = 0 if status == "draft" else int(age_days * rng.lognormvariate(math.log(6), 0.9))
        favourites = int(views * rng.uniform(0, 0.03))

        lid = ids.make(created)
        row = [
            lid, seller["id"], category["id"], status, title, desc, amount, currency, price_kind,
            fmt_bool(vat), condition, icao, city, postcode, loc_country, lat, lon, fmt_bool(rng.random() < 0.5),
            typed.get("make"), typed.get("model"), typed.get("year"), typed.get("registration"),
            typed.get("ttaf_hours"), typed.get("engine_hours"), typed.get("smoh_hours"), typed.get("tbo_hours"),
            typed.get("seats"), fmt_bool(typed.get("ifr")), typed.get("fuel"),
            json.dumps(attrs, ensure_ascii=False, separators=(",", ":")),
            version, views, favourites, fmt_ts(created), fmt_ts(updated),
            fmt_ts(published) if published else None, fmt_ts(expires) if expires else None,
            fmt_ts(sold) if sold else None, fmt_ts(reminder) if reminder else None,
        ]
        out.writerow(row)
        stats["french"] += french
        stats["statuses"][status] = stats["statuses"].get(status, 0) + 1

        if photos and rng.random() < 0.6:
            k = min(24, 1 + int(rng.expovariate(1 / 3.5)))
            stats["photos"] += 1
            for pos in range(k):
                photos.writerow([photo_ids.make(created + pos), lid, pos, PHOTO_HASHES[(n + pos) % len(PHOTO_HASHES)],
                                 1600, 1067, "{320,800,1600}", fmt_ts(created + pos)])
        if events:
            original = amount
            if price_changed:
                original = int(amount * rng.uniform(1.05, 1.25)) // 100 * 100
                original = min(original, 10_000_000_000)
            events.writerow([lid, seller["id"], "created", None, "draft" if status == "draft" or published != created
                             else "published", original, currency, '{"bench":true}', fmt_ts(created)])
            if published and published != created:
                events.writerow([lid, seller["id"], "status", "draft", "published", None, None, "{}", fmt_ts(published)])
            if price_changed:
                events.writerow([lid, seller["id"], "price", None, None, amount, currency, "{}", fmt_ts(updated)])
        if args.progress and n and n % 100000 == 0:
            print(f"generate.py: {n} listings ({time.time() - started:.0f} s)", file=sys.stderr)
    if args.stats:
        stats["cpu_s"] = round(time.process_time(), 1)
        stats["wall_s"] = round(time.time() - started, 1)
        stats["count"] = args.count
        stats["french_share"] = round(stats["french"] / max(1, args.count), 3)
        stats["photo_share"] = round(stats["photos"] / max(1, args.count), 3)
        with open(args.stats, "w", encoding="utf-8") as f:
            json.dump(stats, f, indent=1)


# ------------------------------------------------------------------------------------------
# Self-check: a Python port of the table constraints and attribute rules, on a sample.

AIRCRAFT_KEYS = {"make", "model", "variant", "year", "serial_number", "registration", "ttaf_hours",
                 "engine_make", "engine_model", "engine_hours_since_new", "engine_smoh", "engine_tbo_hours",
                 "engine_overhaul_date", "propeller_type", "propeller_hours_since_overhaul", "seats", "mtow_kg",
                 "empty_mass_kg", "fuel", "ifr", "avionics", "elt", "arc_expiry", "last_annual_inspection",
                 "damage", "damage_details", "hangared", "logbooks_complete", "parachute_system"}
GROUP_KEYS = {
    "aircraft": AIRCRAFT_KEYS,
    "engine": {"make", "model", "serial_number", "power_hp", "hours_since_new", "smoh", "tbo_hours",
               "overhaul_date", "overhaul_shop", "sale"},
    "propeller": {"make", "model", "pitch", "blades", "hours_since_overhaul"},
    "avionics": {"brand", "model", "certified", "tso", "with_tray"},
    "part": {"part_number", "manufacturer", "quantity", "condition", "release_certificate", "compatible_types"},
    "hangar": {"airfield_icao", "width_m", "depth_m", "door_height_m", "offer"},
    "share": {"fraction", "base_airfield_icao", "monthly_fixed_cost", "hourly_wet_rate"},
    "service": {"kind", "details"},
    "equipment": {"kind", "details"},
}
REQUIRED = {"aircraft": {"make", "model"}, "engine": {"make", "model"}, "propeller": {"make"},
            "avionics": {"brand", "model"}, "part": {"part_number"}, "hangar": {"offer"}, "share": {"fraction"},
            "service": {"kind"}, "equipment": {"kind"}}
REG_FORMATS = [("F-", r"^F-[A-Z]{4}$"), ("D-", r"^D-([A-Z]{4}|[0-9]{4}|[0-9]{1,2}[A-Z0-9]{2})$"),
               ("G-", r"^G-[A-Z]{4}$"), ("OO-", r"^OO-([A-Z]{3}|[A-Z][0-9]{2}|[0-9]{2}[A-Z])$"),
               ("HB-", r"^HB-([A-Z]{3}|[0-9]{4})$"), ("EC-", r"^EC-([A-Z]{3}|[A-Z0-9]{4})$"),
               ("I-", r"^I-([A-Z]{4}|[0-9][0-9A-Z]{3,4})$")]


def registration_ok(value):
    if value.startswith("N") and "-" not in value:
        return re.match(r"^N[1-9](?:[0-9]{0,4}|[0-9]{0,3}[A-HJ-NP-Z]|[0-9]{0,2}[A-HJ-NP-Z]{2})$", value) is not None
    if re.match(r"^(0[1-9]|[1-8][0-9]|9[0-5]|2A|2B|97[1-6])-[A-Z]{1,4}$", value):
        return True
    head = value.split("-")[0]
    if head and head.isdigit():
        return False
    for prefix, pattern in sorted(REG_FORMATS, key=lambda f: -len(f[0])):
        if value.startswith(prefix):
            return re.match(pattern, value) is not None
    return re.match(r"^[A-Z0-9]{1,3}-[A-Z0-9]{1,5}$", value) is not None


def check_row(row, groups, this_year):
    r = dict(zip(LISTING_COLUMNS, row))
    errors = []

    def err(msg):
        errors.append(f"{r['id']}: {msg}")

    if not 5 <= len(r["title"]) <= 120:
        err(f"title length {len(r['title'])}")
    if not 20 <= len(r["description"]) <= 10000:
        err("description length")
    if (r["price_kind"] == "on_request") != (r["price_amount"] in (None, "")):
        err("price/on_request")
    if r["price_amount"] not in (None, "") and not 0 <= int(r["price_amount"]) <= 10_000_000_000:
        err("price range")
    if r["status"] != "draft" and not r["airfield_icao"] and not (r["city"] and r["country"]):
        err("no location")
    if r["smoh_hours"] is not None and r["engine_hours"] is not None and r["smoh_hours"] > r["engine_hours"]:
        err("smoh > engine hours")
    if r["tbo_hours"] is not None and r["smoh_hours"] is not None and r["smoh_hours"] >= r["tbo_hours"]:
        err("smoh >= tbo")
    if r["seats"] is not None and not 1 <= r["seats"] <= 20:
        err("seats")
    if r["year"] is not None and not 1903 <= r["year"] <= this_year + 1:
        err("year")
    if r["status"] in ("published", "reserved") and not r["expires_at"]:
        err("published without expiry")
    if r["city"] is not None and not 1 <= len(r["city"]) <= 100:
        err("city length")
    group = groups[r["category_id"]]
    attrs = json.loads(r["attributes"])
    unknown = set(attrs) - GROUP_KEYS[group]
    if unknown:
        err(f"unknown attributes {unknown} for {group}")
    missing = REQUIRED[group] - set(attrs)
    if missing:
        err(f"missing attributes {missing} for {group}")
    if any(v is None for v in attrs.values()):
        err("null attribute")
    if group == "aircraft":
        if "registration" in attrs and not registration_ok(attrs["registration"]):
            err(f"registration {attrs['registration']}")
        if attrs.get("fuel") not in (None, "100LL", "UL91", "mogas", "jet-a1", "electric"):
            err("fuel")
        if "engine_smoh" in attrs and "engine_hours_since_new" in attrs and attrs["engine_smoh"] > attrs["engine_hours_since_new"]:
            err("attributes smoh > since new")
        if "empty_mass_kg" in attrs and not (30 <= attrs["empty_mass_kg"] < attrs["mtow_kg"] <= 10000 and attrs["mtow_kg"] >= 50):
            err("masses")
        if (attrs.get("damage") == "repaired") != ("damage_details" in attrs):
            err("damage details")
        if len(attrs.get("avionics", [])) > 50 or not all(1 <= len(a) <= 100 for a in attrs["avionics"]):
            err("avionics items")
        for k in ("make", "model"):
            if not 1 <= len(attrs[k]) <= 60:
                err(k)
        if "engine_tbo_hours" in attrs and not 1 <= attrs["engine_tbo_hours"] <= 20000:
            err("tbo range")
    if group == "engine" and attrs.get("smoh", 0) > attrs.get("hours_since_new", 1e9):
        err("engine smoh")
    if group == "share":
        num, den = (int(x) for x in attrs["fraction"].split("/"))
        if not (num >= 1 and den >= 2 and num < den <= 100):
            err("fraction")
    if group in ("service", "equipment"):
        if not 1 <= len(attrs["kind"]) <= 60 or len(attrs["details"]) > 20:
            err("free attributes")
        if not all(1 <= len(k) <= 40 and len(v) <= 200 for k, v in attrs["details"].items()):
            err("details")
    if group == "part" and not 1 <= len(attrs["part_number"]) <= 60:
        err("part number")
    return errors


def cmd_selfcheck(args):
    import io
    cat = load_catalogue(args)
    groups = {c["id"]: c["group"] for c in cat["categories"]}
    buf = io.StringIO()
    real_stdout = sys.stdout
    sys.stdout = buf
    try:
        cmd_listings(args)
    finally:
        sys.stdout = real_stdout
    this_year = dt.datetime.fromtimestamp(args.now_epoch, dt.timezone.utc).year
    conv = {"price_amount": int, "year": int, "seats": int, "ttaf_hours": float, "engine_hours": float,
            "smoh_hours": float, "tbo_hours": float}
    errors, rows = [], 0
    for raw in csv.reader(io.StringIO(buf.getvalue())):
        row = [None if v == "" else v for v in raw]
        for i, c in enumerate(LISTING_COLUMNS):
            if c in conv and row[i] is not None:
                row[i] = conv[c](row[i])
        errors.extend(check_row(row, groups, this_year))
        rows += 1
    for e in errors[:30]:
        print(e)
    print(f"selfcheck: {rows} listings, {len(errors)} problems")
    sys.exit(1 if errors else 0)


# ------------------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["catalogue", "users", "listings", "selfcheck", "columns"])
    parser.add_argument("table", nargs="?", help="for `columns`: users, listings, listing_photos, listing_events")
    parser.add_argument("--db", help="database URL to read the catalogue from (psql -At)")
    parser.add_argument("--catalogue", help="catalogue JSON written by `generate.py catalogue`")
    parser.add_argument("--count", type=int, default=1_000_000, help="listings (default 1,000,000)")
    parser.add_argument("--users", type=int, default=0, help="users (default: count/200, between 2,000 and 5,000)")
    parser.add_argument("--seed", default="hangar", help="random seed (default: hangar)")
    parser.add_argument("--now", help="reference time, ISO 8601 (default: the current time)")
    parser.add_argument("--photos", help="listings: also write listing_photos CSV to this file")
    parser.add_argument("--events", help="listings: also write listing_events CSV to this file")
    parser.add_argument("--stats", help="listings: write a JSON summary (shares of French text, photos, statuses)")
    parser.add_argument("--progress", action="store_true", help="print progress to stderr")
    args = parser.parse_args()
    if args.now:
        args.now_epoch = dt.datetime.fromisoformat(args.now.replace("Z", "+00:00")).timestamp()
    else:
        args.now_epoch = time.time()
    if args.command == "columns":
        if args.table not in COLUMNS:
            sys.exit(f"generate.py columns: one of {', '.join(COLUMNS)}")
        print(",".join(COLUMNS[args.table]))
    elif args.command == "catalogue":
        if not args.db:
            sys.exit("generate.py catalogue: give --db URL")
        json.dump(catalogue_from_db(args.db), sys.stdout, ensure_ascii=False)
    elif args.command == "users":
        cmd_users(args)
    elif args.command == "listings":
        cmd_listings(args)
    else:
        args.count = min(args.count, 20_000)
        cmd_selfcheck(args)


if __name__ == "__main__":
    try:
        main()
    except BrokenPipeError:
        sys.exit(1)
