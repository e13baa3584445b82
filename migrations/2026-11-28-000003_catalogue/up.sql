-- The catalogue: the category tree listings are filed under, and the aviation reference data
-- (makes, models, airfields) forms autocomplete from. Categories, makes and models are seeded
-- here; airfields come from data/airfields/airports.csv, loaded by the API (see api/src/seed.rs)
-- because 28,000 rows do not belong in a migration.

-- Search form of a name: unaccented, lower-case, every run of other characters as one space.
-- "Schempp-Hirth" -> "schempp hirth", "Angers/Marcé" -> "angers marce", "DR 400" -> "dr 400".
-- Only [a-z0-9 ] survives, so the result is safe inside LIKE patterns without escaping.
-- Schema-qualified so index and generated-column expressions also work under an empty
-- search_path (pg_restore).
CREATE FUNCTION catalogue_search_text(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT pg_catalog.btrim(pg_catalog.regexp_replace(
              pg_catalog.lower(public.immutable_unaccent($1)), '[^a-z0-9]+', ' ', 'g')) $$;

-- ---------------------------------------------------------------------------------------------
-- Categories: a tree. The slug is the stable key (URLs, seeds, API paths); ids are internal.
CREATE TABLE categories (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    parent_id       uuid REFERENCES categories (id) ON DELETE RESTRICT,
    slug            text NOT NULL CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND char_length(slug) BETWEEN 2 AND 60),
    -- Order among siblings (smallest first); ties broken by slug.
    position        integer NOT NULL DEFAULT 0 CHECK (position >= 0),
    name_fr         text NOT NULL CHECK (char_length(name_fr) BETWEEN 2 AND 80),
    name_en         text NOT NULL CHECK (char_length(name_en) BETWEEN 2 AND 80),
    -- Which attribute set listings of this category carry (the listings issue owns the shapes).
    attribute_group text NOT NULL CHECK (attribute_group IN
                        ('aircraft', 'engine', 'propeller', 'avionics', 'part', 'equipment',
                         'hangar', 'share', 'service')),
    -- Inactive categories (and everything under them) are hidden from the public tree.
    active          boolean NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT categories_slug_key UNIQUE (slug),
    CONSTRAINT categories_not_own_parent CHECK (parent_id <> id)
);
CREATE INDEX categories_parent_idx ON categories (parent_id, position);
SELECT diesel_manage_updated_at('categories');

-- Last line of defence behind the API's own check: a category may not move under itself or
-- one of its descendants. (The API serialises tree changes with an advisory lock, so two
-- concurrent moves cannot build a cycle between them.)
CREATE FUNCTION categories_check_no_cycle() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.parent_id IS NOT NULL AND EXISTS (
        WITH RECURSIVE up AS (
            SELECT c.id, c.parent_id FROM categories c WHERE c.id = NEW.parent_id
            UNION
            SELECT c.id, c.parent_id FROM categories c JOIN up ON c.id = up.parent_id
        )
        SELECT 1 FROM up WHERE up.id = NEW.id
    ) THEN
        RAISE EXCEPTION 'category % would become its own ancestor', NEW.slug
            USING ERRCODE = 'check_violation', CONSTRAINT = 'categories_no_cycle';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER categories_no_cycle BEFORE UPDATE OF parent_id ON categories
    FOR EACH ROW EXECUTE FUNCTION categories_check_no_cycle();

-- The seed taxonomy. Roots first, then children found by their parent's slug. ON CONFLICT
-- keeps moderators' later edits: re-running never overwrites or resurrects anything.
INSERT INTO categories (slug, position, name_fr, name_en, attribute_group) VALUES
    ('aircraft',               0, 'Avions',                              'Aircraft',                        'aircraft'),
    ('ulm',                    1, 'ULM',                                 'Microlights (ULM)',               'aircraft'),
    ('gliders',                2, 'Planeurs',                            'Gliders',                         'aircraft'),
    ('helicopters',            3, 'Hélicoptères',                        'Helicopters',                     'aircraft'),
    ('balloons-airships',      4, 'Ballons et dirigeables',              'Balloons & airships',             'aircraft'),
    ('engines',                5, 'Moteurs',                             'Engines',                         'engine'),
    ('propellers',             6, 'Hélices',                             'Propellers',                      'propeller'),
    ('avionics',               7, 'Avionique et instruments',            'Avionics & instruments',          'avionics'),
    ('parts',                  8, 'Pièces détachées',                    'Parts',                           'part'),
    ('pilot-equipment',        9, 'Équipement du pilote',                'Pilot equipment',                 'equipment'),
    ('hangars',               10, 'Hangars et places de parking',        'Hangars & tie-downs',             'hangar'),
    ('shares',                11, 'Copropriété et parts d''avion',       'Aircraft shares & co-ownership',  'share'),
    ('services',              12, 'Services',                            'Services',                        'service'),
    ('tools-ground-equipment', 13, 'Outillage et matériel au sol',       'Tools & ground equipment',        'equipment')
ON CONFLICT (slug) DO NOTHING;

INSERT INTO categories (parent_id, slug, position, name_fr, name_en, attribute_group)
SELECT p.id, v.slug, v.position, v.name_fr, v.name_en, v.attribute_group
FROM (VALUES
    ('aircraft', 'single-engine-piston',   0, 'Monomoteurs à pistons',                'Single-engine piston',           'aircraft'),
    ('aircraft', 'multi-engine-piston',    1, 'Bimoteurs à pistons',                  'Multi-engine piston',            'aircraft'),
    ('aircraft', 'aerobatic',              2, 'Avions de voltige',                    'Aerobatic aircraft',             'aircraft'),
    ('aircraft', 'vintage-warbirds',       3, 'Avions anciens et warbirds',           'Vintage & warbirds',             'aircraft'),
    ('aircraft', 'homebuilt-experimental', 4, 'Construction amateur (CNRA)',          'Homebuilt & experimental',       'aircraft'),
    ('aircraft', 'light-sport',            5, 'Avions légers de sport (LSA)',         'Light sport aircraft (LSA)',     'aircraft'),
    ('aircraft', 'turboprops-jets',        6, 'Turbopropulseurs et jets légers',      'Turboprops & light jets',        'aircraft'),
    ('ulm', 'ulm-3-axis',                  0, 'ULM multiaxes',                        '3-axis microlights',             'aircraft'),
    ('ulm', 'ulm-weight-shift',            1, 'ULM pendulaires',                      'Weight-shift microlights (trikes)', 'aircraft'),
    ('ulm', 'ulm-gyroplanes',              2, 'Autogires',                            'Gyroplanes',                     'aircraft'),
    ('ulm', 'paramotors',                  3, 'Paramoteurs',                          'Paramotors',                     'aircraft'),
    ('ulm', 'ulm-helicopters',             4, 'ULM hélicoptères',                     'Microlight helicopters',         'aircraft'),
    ('ulm', 'ulm-aerostats',               5, 'ULM aérostats',                        'Microlight aerostats',           'aircraft'),
    ('gliders', 'sailplanes',              0, 'Planeurs purs',                        'Gliders (sailplanes)',           'aircraft'),
    ('gliders', 'motor-gliders',           1, 'Motoplaneurs',                         'Touring motor gliders',          'aircraft'),
    ('gliders', 'self-launching-gliders',  2, 'Planeurs autonomes et turbos',         'Self-launching & sustainer gliders', 'aircraft'),
    ('gliders', 'glider-trailers',         3, 'Remorques de planeur',                 'Glider trailers',                'equipment'),
    ('helicopters', 'piston-helicopters',  0, 'Hélicoptères à pistons',               'Piston helicopters',             'aircraft'),
    ('helicopters', 'turbine-helicopters', 1, 'Hélicoptères à turbine',               'Turbine helicopters',            'aircraft'),
    ('balloons-airships', 'hot-air-balloons', 0, 'Montgolfières',                    'Hot-air balloons',               'aircraft'),
    ('balloons-airships', 'gas-balloons',  1, 'Ballons à gaz',                        'Gas balloons',                   'aircraft'),
    ('balloons-airships', 'airships',      2, 'Dirigeables',                          'Airships',                       'aircraft'),
    ('engines', 'piston-engines',          0, 'Moteurs à pistons',                    'Piston engines',                 'engine'),
    ('engines', 'ulm-engines',             1, 'Moteurs ULM et paramoteur',            'Microlight & paramotor engines', 'engine'),
    ('engines', 'turbine-engines',         2, 'Turbines',                             'Turbine engines',                'engine'),
    ('engines', 'engine-parts',            3, 'Pièces moteur',                        'Engine parts',                   'part'),
    ('propellers', 'fixed-pitch-propellers', 0, 'Hélices à pas fixe',                 'Fixed-pitch propellers',         'propeller'),
    ('propellers', 'variable-pitch-propellers', 1, 'Hélices à pas variable',          'Variable-pitch propellers',      'propeller'),
    ('propellers', 'ground-adjustable-propellers', 2, 'Hélices réglables au sol',     'Ground-adjustable propellers',   'propeller'),
    ('avionics', 'radios-transponders',    0, 'Radios et transpondeurs',              'Radios & transponders',          'avionics'),
    ('avionics', 'gps-navigators',         1, 'GPS et navigateurs',                   'GPS & navigators',               'avionics'),
    ('avionics', 'efis-displays',          2, 'EFIS et écrans',                       'EFIS & displays',                'avionics'),
    ('avionics', 'flight-instruments',     3, 'Instruments de vol',                   'Flight instruments',             'avionics'),
    ('avionics', 'engine-instruments',     4, 'Instruments moteur',                   'Engine instruments',             'avionics'),
    ('avionics', 'autopilots',             5, 'Pilotes automatiques',                 'Autopilots',                     'avionics'),
    ('avionics', 'gliding-instruments',    6, 'Instruments de vol à voile',           'Gliding instruments & varios',   'avionics'),
    ('parts', 'airframe-parts',            0, 'Pièces de cellule',                    'Airframe parts',                 'part'),
    ('parts', 'landing-gear-wheels',       1, 'Trains, roues et freins',              'Landing gear, wheels & brakes',  'part'),
    ('parts', 'interior-upholstery',       2, 'Sellerie et aménagement',              'Interior & upholstery',          'part'),
    ('parts', 'electrical-parts',          3, 'Électricité et batteries',             'Electrical & batteries',         'part'),
    ('parts', 'kits-projects',             4, 'Kits et projets de construction',      'Kits & build projects',          'part'),
    ('pilot-equipment', 'headsets',        0, 'Casques audio',                        'Headsets',                       'equipment'),
    ('pilot-equipment', 'parachutes',      1, 'Parachutes',                           'Parachutes',                     'equipment'),
    ('pilot-equipment', 'pilot-clothing',  2, 'Vêtements',                            'Clothing',                       'equipment'),
    ('pilot-equipment', 'pilot-navigation', 3, 'Navigation (cartes, tablettes, EFB)', 'Navigation (charts, tablets, EFB)', 'equipment'),
    ('pilot-equipment', 'oxygen-safety',   4, 'Oxygène et sécurité',                  'Oxygen & safety',                'equipment'),
    ('hangars', 'hangar-space',            0, 'Places de hangar',                     'Hangar space',                   'hangar'),
    ('hangars', 'hangars-for-sale',        1, 'Hangars à vendre',                     'Hangars for sale',               'hangar'),
    ('hangars', 'tie-downs',               2, 'Parkings extérieurs',                  'Tie-downs',                      'hangar'),
    ('services', 'maintenance',            0, 'Maintenance et entretien',             'Maintenance',                    'service'),
    ('services', 'ferry-flights',          1, 'Convoyages',                           'Ferry flights',                  'service'),
    ('services', 'flight-training',        2, 'Formation et instruction',             'Flight training',                'service'),
    ('services', 'aerial-photography',     3, 'Photographie aérienne',                'Aerial photography',             'service'),
    ('services', 'paint-upholstery-services', 4, 'Peinture et sellerie',              'Paint & upholstery',             'service'),
    ('tools-ground-equipment', 'tools',    0, 'Outillage',                            'Tools',                          'equipment'),
    ('tools-ground-equipment', 'aircraft-tugs', 1, 'Tracteurs d''avion',              'Aircraft tugs',                  'equipment'),
    ('tools-ground-equipment', 'covers-tie-down-kits', 2, 'Housses et kits d''amarrage', 'Covers & tie-down kits',     'equipment'),
    ('tools-ground-equipment', 'fuel-equipment', 3, 'Avitaillement',                  'Fuel equipment',                 'equipment')
) AS v (parent_slug, slug, position, name_fr, name_en, attribute_group)
JOIN categories p ON p.slug = v.parent_slug
ON CONFLICT (slug) DO NOTHING;

-- ---------------------------------------------------------------------------------------------
-- Makes: manufacturers of aircraft, engines, propellers and avionics. A make can build several
-- kinds (Pipistrel: aircraft, ULMs and gliders; Jabiru: aircraft and engines).
CREATE TABLE makes (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name            text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 80),
    slug            text NOT NULL CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND char_length(slug) BETWEEN 2 AND 60),
    kinds           text[] NOT NULL CHECK (cardinality(kinds) >= 1
                        AND kinds <@ ARRAY['aircraft', 'ulm', 'glider', 'helicopter', 'gyroplane',
                                           'balloon', 'engine', 'propeller', 'avionics']::text[]),
    -- ISO 3166-1 alpha-2 of the maker's home country.
    country         char(2) CHECK (country ~ '^[A-Z]{2}$'),
    -- catalogue_search_text(name), and the same without spaces ("Van's Aircraft" -> "vansaircraft").
    search_text     text NOT NULL GENERATED ALWAYS AS (catalogue_search_text(name)) STORED,
    search_key      text NOT NULL GENERATED ALWAYS AS (pg_catalog.replace(catalogue_search_text(name), ' ', '')) STORED,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT makes_slug_key UNIQUE (slug)
);
CREATE UNIQUE INDEX makes_name_lower_idx ON makes (lower(name));
-- Typo-tolerant autocomplete (pg_trgm `%`, `<%`, LIKE '%…%').
CREATE INDEX makes_search_trgm_idx ON makes USING gin (search_text gin_trgm_ops);
CREATE INDEX makes_kinds_idx ON makes USING gin (kinds);

-- Models of a make. `search_key` is the designation without spaces or punctuation, so
-- "DR400", "DR 400" and "dr-400" are the same thing, and "pa28" finds every PA-28.
CREATE TABLE models (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    make_id         uuid NOT NULL REFERENCES makes (id) ON DELETE CASCADE,
    name            text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 80),
    search_text     text NOT NULL GENERATED ALWAYS AS (catalogue_search_text(name)) STORED,
    search_key      text NOT NULL GENERATED ALWAYS AS (pg_catalog.replace(catalogue_search_text(name), ' ', '')) STORED,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX models_make_name_idx ON models (make_id, lower(name));
CREATE INDEX models_search_trgm_idx ON models USING gin (search_text gin_trgm_ops);

INSERT INTO makes (slug, name, kinds, country) VALUES
    -- Aircraft
    ('robin',                'Robin',                     '{aircraft}',                 'FR'),
    ('jodel',                'Jodel',                     '{aircraft}',                 'FR'),
    ('cessna',               'Cessna',                    '{aircraft}',                 'US'),
    ('reims-aviation',       'Reims Aviation',            '{aircraft}',                 'FR'),
    ('piper',                'Piper',                     '{aircraft}',                 'US'),
    ('diamond',              'Diamond Aircraft',          '{aircraft,glider}',          'AT'),
    ('cirrus',               'Cirrus',                    '{aircraft}',                 'US'),
    ('tecnam',               'Tecnam',                    '{aircraft,ulm}',             'IT'),
    ('pipistrel',            'Pipistrel',                 '{aircraft,ulm,glider}',      'SI'),
    ('zlin',                 'Zlin',                      '{aircraft}',                 'CZ'),
    ('extra',                'Extra',                     '{aircraft}',                 'DE'),
    ('mooney',               'Mooney',                    '{aircraft}',                 'US'),
    ('beechcraft',           'Beechcraft',                '{aircraft}',                 'US'),
    ('socata',               'Socata',                    '{aircraft}',                 'FR'),
    ('daher',                'Daher',                     '{aircraft}',                 'FR'),
    ('mudry',                'Mudry',                     '{aircraft}',                 'FR'),
    ('piel',                 'Piel',                      '{aircraft}',                 'FR'),
    ('colomban',             'Colomban',                  '{aircraft,ulm}',             'FR'),
    ('bolkow',               'Bölkow',                    '{aircraft,helicopter}',      'DE'),
    ('aviat',                'Aviat',                     '{aircraft}',                 'US'),
    ('vans-aircraft',        'Van''s Aircraft',           '{aircraft}',                 'US'),
    ('cubcrafters',          'CubCrafters',               '{aircraft}',                 'US'),
    ('sonaca',               'Sonaca',                    '{aircraft}',                 'BE'),
    ('evektor',              'Evektor',                   '{aircraft,ulm}',             'CZ'),
    ('vulcanair',            'Vulcanair',                 '{aircraft}',                 'IT'),
    ('aquila',               'Aquila',                    '{aircraft}',                 'DE'),
    ('fournier',             'Fournier',                  '{aircraft,glider}',          'FR'),
    ('wassmer',              'Wassmer',                   '{aircraft,glider}',          'FR'),
    ('issoire-aviation',     'Issoire Aviation',          '{aircraft}',                 'FR'),
    ('dyn-aero',             'Dyn''Aéro',                 '{aircraft,ulm}',             'FR'),
    ('zenith-aircraft',      'Zenith Aircraft',           '{aircraft,ulm}',             'US'),
    ('slingsby',             'Slingsby',                  '{aircraft,glider}',          'GB'),
    ('grob',                 'Grob',                      '{aircraft,glider}',          'DE'),
    ('jabiru',               'Jabiru',                    '{aircraft,ulm,engine}',      'AU'),
    -- ULM / microlights
    ('aeropro',              'Aeropro',                   '{ulm,aircraft}',             'SK'),
    ('best-off',             'Best Off',                  '{ulm}',                      'FR'),
    ('comco-ikarus',         'Comco Ikarus',              '{ulm}',                      'DE'),
    ('aerospool',            'Aerospool',                 '{ulm,aircraft}',             'SK'),
    ('flight-design',        'Flight Design',             '{ulm,aircraft}',             'DE'),
    ('zlin-aviation',        'Zlin Aviation (Savage)',    '{ulm}',                      'IT'),
    ('tl-ultralight',        'TL-Ultralight',             '{ulm}',                      'CZ'),
    ('rans',                 'Rans',                      '{ulm,aircraft}',             'US'),
    ('apollo',               'Apollo',                    '{ulm}',                      'HU'),
    ('air-creation',         'Air Création',              '{ulm}',                      'FR'),
    ('pm-aviation',          'P&M Aviation',              '{ulm}',                      'GB'),
    ('dta',                  'DTA',                       '{ulm}',                      'FR'),
    ('cosmos',               'Cosmos',                    '{ulm}',                      'FR'),
    ('aeros',                'Aeros',                     '{ulm}',                      'UA'),
    -- Gliders
    ('alexander-schleicher', 'Alexander Schleicher',      '{glider}',                   'DE'),
    ('schempp-hirth',        'Schempp-Hirth',             '{glider}',                   'DE'),
    ('dg-flugzeugbau',       'DG Flugzeugbau',            '{glider}',                   'DE'),
    ('rolladen-schneider',   'Rolladen-Schneider',        '{glider}',                   'DE'),
    ('stemme',               'Stemme',                    '{glider}',                   'DE'),
    ('lak',                  'LAK',                       '{glider}',                   'LT'),
    ('jonker-sailplanes',    'Jonker Sailplanes',         '{glider}',                   'ZA'),
    ('scheibe',              'Scheibe',                   '{glider}',                   'DE'),
    ('centrair',             'Centrair',                  '{glider}',                   'FR'),
    -- Gyroplanes and helicopters
    ('magni',                'Magni Gyro',                '{gyroplane,ulm}',            'IT'),
    ('autogyro',             'AutoGyro',                  '{gyroplane,ulm}',            'DE'),
    ('ela-aviacion',         'ELA Aviación',              '{gyroplane,ulm}',            'ES'),
    ('robinson',             'Robinson',                  '{helicopter}',               'US'),
    ('guimbal',              'Guimbal',                   '{helicopter}',               'FR'),
    ('airbus-helicopters',   'Airbus Helicopters',        '{helicopter}',               'FR'),
    ('bell',                 'Bell',                      '{helicopter}',               'US'),
    ('schweizer',            'Schweizer',                 '{helicopter}',               'US'),
    -- Balloons
    ('cameron-balloons',     'Cameron Balloons',          '{balloon}',                  'GB'),
    ('ultramagic',           'Ultramagic',                '{balloon}',                  'ES'),
    -- Engines
    ('lycoming',             'Lycoming',                  '{engine}',                   'US'),
    ('continental',          'Continental',               '{engine}',                   'US'),
    ('rotax',                'Rotax',                     '{engine}',                   'AT'),
    ('limbach',              'Limbach',                   '{engine}',                   'DE'),
    ('hirth',                'Hirth',                     '{engine}',                   'DE'),
    ('ulpower',              'ULPower',                   '{engine}',                   'BE'),
    ('austro-engine',        'Austro Engine',             '{engine}',                   'AT'),
    ('walter',               'Walter',                    '{engine}',                   'CZ'),
    ('polini',               'Polini',                    '{engine}',                   'IT'),
    ('vittorazi',            'Vittorazi',                 '{engine}',                   'IT'),
    -- Propellers
    ('hartzell',             'Hartzell',                  '{propeller}',                'US'),
    ('mt-propeller',         'MT-Propeller',              '{propeller}',                'DE'),
    ('sensenich',            'Sensenich',                 '{propeller}',                'US'),
    ('mccauley',             'McCauley',                  '{propeller}',                'US'),
    ('duc-helices',          'Duc Hélices',               '{propeller}',                'FR'),
    ('e-props',              'E-Props',                   '{propeller}',                'FR'),
    ('woodcomp',             'Woodcomp',                  '{propeller}',                'CZ'),
    -- Avionics
    ('garmin',               'Garmin',                    '{avionics}',                 'US'),
    ('dynon',                'Dynon',                     '{avionics}',                 'US'),
    ('trig',                 'Trig Avionics',             '{avionics}',                 'GB'),
    ('funke',                'Funke',                     '{avionics}',                 'DE'),
    ('becker',               'Becker Avionics',           '{avionics}',                 'DE'),
    ('bendix-king',          'Bendix/King',               '{avionics}',                 'US'),
    ('avidyne',              'Avidyne',                   '{avionics}',                 'US'),
    ('aspen-avionics',       'Aspen Avionics',            '{avionics}',                 'US'),
    ('lx-navigation',        'LX Navigation',             '{avionics}',                 'SI')
ON CONFLICT DO NOTHING;

INSERT INTO models (make_id, name)
SELECT m.id, v.name
FROM (VALUES
    ('robin', 'DR300'), ('robin', 'DR400'), ('robin', 'DR400-120 Dauphin'), ('robin', 'DR400-140B Major'),
    ('robin', 'DR400-180 Régent'), ('robin', 'DR400-180R Remorqueur'), ('robin', 'DR401'),
    ('robin', 'DR500 Président'), ('robin', 'HR100'), ('robin', 'HR200'), ('robin', 'R1180 Aiglon'),
    ('robin', 'R2160'), ('robin', 'R3000'), ('robin', 'ATL'),
    ('jodel', 'D9 Bébé'), ('jodel', 'D11'), ('jodel', 'D112'), ('jodel', 'D113'), ('jodel', 'D117'),
    ('jodel', 'D119'), ('jodel', 'D120 Paris-Nice'), ('jodel', 'D140 Mousquetaire'),
    ('jodel', 'D150 Mascaret'), ('jodel', 'DR1050 Ambassadeur'), ('jodel', 'DR1051 Sicile'),
    ('cessna', '120'), ('cessna', '140'), ('cessna', '150'), ('cessna', '152'), ('cessna', '170'),
    ('cessna', '172 Skyhawk'), ('cessna', '172RG Cutlass'), ('cessna', '177 Cardinal'),
    ('cessna', '182 Skylane'), ('cessna', '185 Skywagon'), ('cessna', '206 Stationair'),
    ('cessna', '210 Centurion'), ('cessna', '310'), ('cessna', '337 Skymaster'), ('cessna', '340'),
    ('reims-aviation', 'F150'), ('reims-aviation', 'F152'), ('reims-aviation', 'F172'),
    ('reims-aviation', 'FR172 Rocket'), ('reims-aviation', 'F337'), ('reims-aviation', 'F406 Caravan II'),
    ('piper', 'J-3 Cub'), ('piper', 'PA-18 Super Cub'), ('piper', 'PA-22 Tri-Pacer'),
    ('piper', 'PA-23 Aztec'), ('piper', 'PA-24 Comanche'), ('piper', 'PA-28-140 Cherokee'),
    ('piper', 'PA-28-161 Warrior'), ('piper', 'PA-28-181 Archer'), ('piper', 'PA-28R Arrow'),
    ('piper', 'PA-30 Twin Comanche'), ('piper', 'PA-32 Cherokee Six'), ('piper', 'PA-32R Saratoga'),
    ('piper', 'PA-34 Seneca'), ('piper', 'PA-38 Tomahawk'), ('piper', 'PA-44 Seminole'),
    ('piper', 'PA-46 Malibu'),
    ('diamond', 'DA20 Katana'), ('diamond', 'DA40 Diamond Star'), ('diamond', 'DA42 Twin Star'),
    ('diamond', 'DA50'), ('diamond', 'DA62'), ('diamond', 'HK36 Super Dimona'),
    ('cirrus', 'SR20'), ('cirrus', 'SR22'), ('cirrus', 'SR22T'), ('cirrus', 'SF50 Vision Jet'),
    ('tecnam', 'P92 Echo'), ('tecnam', 'P96 Golf'), ('tecnam', 'P2002 Sierra'), ('tecnam', 'P2006T'),
    ('tecnam', 'P2008'), ('tecnam', 'P2010'), ('tecnam', 'P2012 Traveller'), ('tecnam', 'Astore'),
    ('pipistrel', 'Alpha Trainer'), ('pipistrel', 'Virus'), ('pipistrel', 'Virus SW'),
    ('pipistrel', 'Sinus'), ('pipistrel', 'Taurus'), ('pipistrel', 'Velis Electro'),
    ('pipistrel', 'Panthera'),
    ('zlin', 'Z-37 Čmelák'), ('zlin', 'Z-142'), ('zlin', 'Z-242 L'), ('zlin', 'Z-226 Trenér'),
    ('zlin', 'Z-326 Trenér Master'), ('zlin', 'Z-526'), ('zlin', 'Z-50'),
    ('extra', 'EA 200'), ('extra', 'EA 300'), ('extra', 'EA 300L'), ('extra', 'EA 330LX'),
    ('extra', 'EA 330SC'), ('extra', 'NG'),
    ('mooney', 'M20C Ranger'), ('mooney', 'M20E'), ('mooney', 'M20F Executive'), ('mooney', 'M20J 201'),
    ('mooney', 'M20K 231'), ('mooney', 'M20R Ovation'), ('mooney', 'M20TN Acclaim'),
    ('beechcraft', 'Bonanza V35'), ('beechcraft', 'Bonanza F33'), ('beechcraft', 'Bonanza A36'),
    ('beechcraft', 'Baron 55'), ('beechcraft', 'Baron 58'), ('beechcraft', 'Duchess 76'),
    ('beechcraft', 'Musketeer'), ('beechcraft', 'Sundowner'), ('beechcraft', 'Sierra'),
    ('beechcraft', 'King Air C90'),
    ('socata', 'TB9 Tampico'), ('socata', 'TB10 Tobago'), ('socata', 'TB20 Trinidad'),
    ('socata', 'TB21 Trinidad TC'), ('socata', 'TB200 Tobago XL'), ('socata', 'MS 880 Rallye'),
    ('socata', 'MS 893 Rallye Commodore'), ('socata', 'Rallye 235 Gabier'), ('socata', 'ST-10 Diplomate'),
    ('socata', 'TBM 700'),
    ('daher', 'TBM 850'), ('daher', 'TBM 900'), ('daher', 'TBM 940'), ('daher', 'TBM 960'),
    ('daher', 'Kodiak 100'),
    ('mudry', 'CAP 10'), ('mudry', 'CAP 10B'), ('mudry', 'CAP 20'), ('mudry', 'CAP 21'),
    ('mudry', 'CAP 231'), ('mudry', 'CAP 232'),
    ('piel', 'CP.30 Émeraude'), ('piel', 'CP.301 Émeraude'), ('piel', 'CP.1310 Super Émeraude'),
    ('piel', 'CP.150 Onyx'), ('piel', 'CP.80 Zef'),
    ('colomban', 'MC-10 Cri-Cri'), ('colomban', 'MC-15 Cri-Cri'), ('colomban', 'MC-30 Luciole'),
    ('bolkow', 'Bo 207'), ('bolkow', 'Bo 208 Junior'), ('bolkow', 'Bo 209 Monsun'), ('bolkow', 'Bo 105'),
    ('aviat', 'Husky A-1'), ('aviat', 'Husky A-1C'), ('aviat', 'Pitts S-2B'), ('aviat', 'Pitts S-2C'),
    ('aviat', 'Christen Eagle II'),
    ('vans-aircraft', 'RV-3'), ('vans-aircraft', 'RV-4'), ('vans-aircraft', 'RV-6'),
    ('vans-aircraft', 'RV-7'), ('vans-aircraft', 'RV-8'), ('vans-aircraft', 'RV-9'),
    ('vans-aircraft', 'RV-10'), ('vans-aircraft', 'RV-12'), ('vans-aircraft', 'RV-14'),
    ('cubcrafters', 'Carbon Cub SS'), ('cubcrafters', 'Carbon Cub EX'), ('cubcrafters', 'Carbon Cub FX'),
    ('cubcrafters', 'XCub'), ('cubcrafters', 'NXCub'), ('cubcrafters', 'Sport Cub S2'),
    ('sonaca', 'S200'),
    ('evektor', 'EV-97 Eurostar'), ('evektor', 'SportStar'), ('evektor', 'Harmony'),
    ('evektor', 'EV-55 Outback'),
    ('vulcanair', 'P68C'), ('vulcanair', 'P68 Observer'), ('vulcanair', 'V1.0'),
    ('vulcanair', 'A-Viator'),
    ('aquila', 'A210'), ('aquila', 'A211'),
    ('fournier', 'RF3'), ('fournier', 'RF4D'), ('fournier', 'RF5'), ('fournier', 'RF6'),
    ('fournier', 'RF9'), ('fournier', 'RF47'),
    ('wassmer', 'WA 40 Super IV'), ('wassmer', 'WA 41 Baladou'), ('wassmer', 'WA 52 Europa'),
    ('wassmer', 'WA 54 Atlantic'), ('wassmer', 'WA 26 Squale'), ('wassmer', 'WA 28 Espadon'),
    ('issoire-aviation', 'APM 20 Lionceau'), ('issoire-aviation', 'APM 30 Lion'),
    ('dyn-aero', 'MCR01'), ('dyn-aero', 'MCR4S'), ('dyn-aero', 'Banbi'),
    ('zenith-aircraft', 'CH 601 Zodiac'), ('zenith-aircraft', 'CH 650'), ('zenith-aircraft', 'CH 701 STOL'),
    ('zenith-aircraft', 'CH 750 STOL'), ('zenith-aircraft', 'CH 750 Cruzer'),
    ('slingsby', 'T21'), ('slingsby', 'T31 Tandem Tutor'), ('slingsby', 'T59 Kestrel'),
    ('slingsby', 'T61 Falke'), ('slingsby', 'T67 Firefly'), ('slingsby', 'Skylark 4'),
    ('grob', 'G102 Astir'), ('grob', 'G103 Twin Astir'), ('grob', 'G103 Twin II'), ('grob', 'G109'),
    ('grob', 'G109B'), ('grob', 'G115'), ('grob', 'G120'),
    ('jabiru', 'J160'), ('jabiru', 'J170'), ('jabiru', 'J230'), ('jabiru', 'J430'),
    ('jabiru', '2200'), ('jabiru', '3300'),
    ('aeropro', 'Eurofox'), ('aeropro', 'Eurofox 3K'),
    ('best-off', 'Nynja'), ('best-off', 'Skyranger'), ('best-off', 'Skyranger Swift'),
    ('best-off', 'Skyranger V-Max'),
    ('comco-ikarus', 'C22'), ('comco-ikarus', 'C42'), ('comco-ikarus', 'C42B'), ('comco-ikarus', 'C42C'),
    ('aerospool', 'WT9 Dynamic'), ('aerospool', 'WT10 Advantic'),
    ('flight-design', 'CT2K'), ('flight-design', 'CTSW'), ('flight-design', 'CTLS'),
    ('flight-design', 'CTLSi'), ('flight-design', 'MC'), ('flight-design', 'F2'),
    ('zlin-aviation', 'Savage Classic'), ('zlin-aviation', 'Savage Cub'), ('zlin-aviation', 'Savage Bobber'),
    ('zlin-aviation', 'Savage Norden'), ('zlin-aviation', 'Savage Shock Ultra'),
    ('tl-ultralight', 'TL-96 Star'), ('tl-ultralight', 'TL-2000 Sting'), ('tl-ultralight', 'TL-3000 Sirius'),
    ('tl-ultralight', 'Stream'),
    ('rans', 'S-6 Coyote II'), ('rans', 'S-7 Courier'), ('rans', 'S-12 Airaile'), ('rans', 'S-20 Raven'),
    ('apollo', 'Fox'), ('apollo', 'Monsoon'), ('apollo', 'C15 Jet Star'), ('apollo', 'Delta Jet'),
    ('air-creation', 'Tanarg'), ('air-creation', 'Skypper'), ('air-creation', 'Pixel'),
    ('air-creation', 'BioniX'), ('air-creation', 'iXess'), ('air-creation', 'GT BI'),
    ('pm-aviation', 'QuikR'), ('pm-aviation', 'Pegasus Quik'), ('pm-aviation', 'Pegasus Quantum'),
    ('pm-aviation', 'PulsR'),
    ('dta', 'Évolution'), ('dta', 'Dynamic'), ('dta', 'Voyageur'),
    ('cosmos', 'Phase III'), ('cosmos', 'Bidulum'),
    ('aeros', 'Aeros-2'), ('aeros', 'ANT'), ('aeros', 'Profi TL'),
    ('alexander-schleicher', 'ASK 13'), ('alexander-schleicher', 'ASK 21'), ('alexander-schleicher', 'ASK 21 Mi'),
    ('alexander-schleicher', 'ASK 23'), ('alexander-schleicher', 'ASW 19'), ('alexander-schleicher', 'ASW 20'),
    ('alexander-schleicher', 'ASW 24'), ('alexander-schleicher', 'ASW 27'), ('alexander-schleicher', 'ASW 28'),
    ('alexander-schleicher', 'ASG 29'), ('alexander-schleicher', 'ASG 32'), ('alexander-schleicher', 'ASH 25'),
    ('alexander-schleicher', 'ASH 26'), ('alexander-schleicher', 'ASH 31'), ('alexander-schleicher', 'AS 33'),
    ('schempp-hirth', 'Discus'), ('schempp-hirth', 'Discus-2'), ('schempp-hirth', 'Duo Discus'),
    ('schempp-hirth', 'Duo Discus XLT'), ('schempp-hirth', 'Ventus'), ('schempp-hirth', 'Ventus-2'),
    ('schempp-hirth', 'Ventus-3'), ('schempp-hirth', 'Arcus'), ('schempp-hirth', 'Arcus M'),
    ('schempp-hirth', 'Nimbus-4'), ('schempp-hirth', 'Janus'), ('schempp-hirth', 'Standard Cirrus'),
    ('schempp-hirth', 'Mini-Nimbus'), ('schempp-hirth', 'Quintus'),
    ('dg-flugzeugbau', 'DG-100'), ('dg-flugzeugbau', 'DG-300'), ('dg-flugzeugbau', 'DG-400'),
    ('dg-flugzeugbau', 'DG-500'), ('dg-flugzeugbau', 'DG-800'), ('dg-flugzeugbau', 'DG-808'),
    ('dg-flugzeugbau', 'DG-1000'), ('dg-flugzeugbau', 'DG-1001'), ('dg-flugzeugbau', 'LS8'),
    ('rolladen-schneider', 'LS1'), ('rolladen-schneider', 'LS3'), ('rolladen-schneider', 'LS4'),
    ('rolladen-schneider', 'LS6'), ('rolladen-schneider', 'LS7'), ('rolladen-schneider', 'LS8'),
    ('stemme', 'S6'), ('stemme', 'S10'), ('stemme', 'S10-VT'), ('stemme', 'S12'),
    ('lak', 'LAK-12 Lietuva'), ('lak', 'LAK-17'), ('lak', 'LAK-19'), ('lak', 'LAK-20'),
    ('jonker-sailplanes', 'JS1 Revelation'), ('jonker-sailplanes', 'JS3 Rapture'),
    ('scheibe', 'SF 25 Falke'), ('scheibe', 'SF 28 Tandem-Falke'), ('scheibe', 'Bergfalke'),
    ('scheibe', 'L-Spatz'),
    ('centrair', 'Pégase 101'), ('centrair', 'Marianne'), ('centrair', 'Alliance 34'),
    ('magni', 'M16 Tandem Trainer'), ('magni', 'M18 Spartan'), ('magni', 'M22 Voyager'),
    ('magni', 'M24 Orion'),
    ('autogyro', 'MTOsport'), ('autogyro', 'Calidus'), ('autogyro', 'Cavalon'), ('autogyro', 'eCavalon'),
    ('ela-aviacion', 'ELA 07'), ('ela-aviacion', 'ELA 10 Eclipse'),
    ('robinson', 'R22'), ('robinson', 'R44 Raven'), ('robinson', 'R44 Raven II'), ('robinson', 'R66'),
    ('guimbal', 'Cabri G2'),
    ('airbus-helicopters', 'AS350 Écureuil'), ('airbus-helicopters', 'AS355 Écureuil 2'),
    ('airbus-helicopters', 'EC120 Colibri'), ('airbus-helicopters', 'EC130'), ('airbus-helicopters', 'H125'),
    ('bell', '47'), ('bell', '206 JetRanger'), ('bell', '206L LongRanger'), ('bell', '407'), ('bell', '505'),
    ('schweizer', '269C'), ('schweizer', '300C'), ('schweizer', '300CBi'), ('schweizer', '333'),
    ('cameron-balloons', 'O-65'), ('cameron-balloons', 'O-77'), ('cameron-balloons', 'O-84'),
    ('cameron-balloons', 'O-105'), ('cameron-balloons', 'Z-90'), ('cameron-balloons', 'Z-105'),
    ('ultramagic', 'M-65'), ('ultramagic', 'M-77'), ('ultramagic', 'M-105'), ('ultramagic', 'H-77'),
    ('lycoming', 'O-235'), ('lycoming', 'O-290'), ('lycoming', 'O-320'), ('lycoming', 'O-360'),
    ('lycoming', 'IO-360'), ('lycoming', 'AEIO-360'), ('lycoming', 'IO-390'), ('lycoming', 'O-540'),
    ('lycoming', 'IO-540'), ('lycoming', 'AEIO-540'), ('lycoming', 'TIO-540'), ('lycoming', 'IO-580'),
    ('continental', 'A65'), ('continental', 'C85'), ('continental', 'C90'), ('continental', 'O-200'),
    ('continental', 'O-300'), ('continental', 'O-470'), ('continental', 'IO-360'), ('continental', 'IO-470'),
    ('continental', 'IO-520'), ('continental', 'IO-550'), ('continental', 'TSIO-520'),
    ('continental', 'CD-135'), ('continental', 'CD-155'),
    ('rotax', '447'), ('rotax', '503'), ('rotax', '582'), ('rotax', '912'), ('rotax', '912 S'),
    ('rotax', '912 iS'), ('rotax', '914'), ('rotax', '915 iS'), ('rotax', '916 iS'),
    ('limbach', 'L2000'), ('limbach', 'L2400'), ('limbach', 'L550'),
    ('hirth', 'F23'), ('hirth', 'F30'), ('hirth', '3202'), ('hirth', '3503'),
    ('ulpower', 'UL260i'), ('ulpower', 'UL350iS'), ('ulpower', 'UL390i'), ('ulpower', 'UL520i'),
    ('austro-engine', 'AE300'), ('austro-engine', 'AE330'),
    ('walter', 'Mikron III'), ('walter', 'M 137'), ('walter', 'M 332'), ('walter', 'M 601'),
    ('polini', 'Thor 130'), ('polini', 'Thor 190'), ('polini', 'Thor 250'),
    ('vittorazi', 'Moster 185'), ('vittorazi', 'Atom 80'),
    ('hartzell', 'HC-C2YK'), ('hartzell', 'HC-C2YR'), ('hartzell', 'HC-E2YR'), ('hartzell', 'HC-C3YR'),
    ('hartzell', 'Trailblazer'),
    ('mt-propeller', 'MTV-1'), ('mt-propeller', 'MTV-6'), ('mt-propeller', 'MTV-9'),
    ('mt-propeller', 'MTV-12'), ('mt-propeller', 'MTV-14'), ('mt-propeller', 'MTV-18'),
    ('mt-propeller', 'MT 188'),
    ('sensenich', '74DM6'), ('sensenich', '76EM8'), ('sensenich', '72CK'),
    ('sensenich', 'Ground-adjustable composite'),
    ('mccauley', '1A170'), ('mccauley', '1C160'), ('mccauley', '2A34C'), ('mccauley', 'B2D34C'),
    ('duc-helices', 'Swirl'), ('duc-helices', 'Flash'), ('duc-helices', 'Flash-R'),
    ('duc-helices', 'Windspoon'), ('duc-helices', 'Inconel'),
    ('e-props', 'Durandal'), ('e-props', 'Boost'),
    ('woodcomp', 'Klassic'), ('woodcomp', 'SR 3000'),
    ('garmin', 'G5'), ('garmin', 'GI 275'), ('garmin', 'G3X Touch'), ('garmin', 'G1000'),
    ('garmin', 'GNS 430'), ('garmin', 'GNS 530'), ('garmin', 'GTN 650'), ('garmin', 'GTN 750'),
    ('garmin', 'GTX 327'), ('garmin', 'GTX 335'), ('garmin', 'GTX 345'), ('garmin', 'GMA 340'),
    ('garmin', 'aera 660'),
    ('dynon', 'SkyView HDX'), ('dynon', 'SkyView Touch'), ('dynon', 'D10A'), ('dynon', 'EFIS-D100'),
    ('dynon', 'D3 Pocket Panel'),
    ('trig', 'TT21'), ('trig', 'TT22'), ('trig', 'TY91'), ('trig', 'TY96'), ('trig', 'TN72'),
    ('trig', 'TX56'),
    ('funke', 'ATR833'), ('funke', 'ATR500'), ('funke', 'TRT800'), ('funke', 'TRT800H'), ('funke', 'ACD57'),
    ('becker', 'AR6201'), ('becker', 'AR4201'), ('becker', 'BXP6401'), ('becker', 'RCU6201'),
    ('bendix-king', 'KX 155'), ('bendix-king', 'KX 165'), ('bendix-king', 'KT 76A'),
    ('bendix-king', 'KMA 24'), ('bendix-king', 'KAP 140'), ('bendix-king', 'KFC 225'),
    ('bendix-king', 'KY 97A'),
    ('avidyne', 'IFD440'), ('avidyne', 'IFD540'), ('avidyne', 'IFD550'), ('avidyne', 'Entegra'),
    ('aspen-avionics', 'Evolution E5'), ('aspen-avionics', 'Evolution 1000'),
    ('lx-navigation', 'LX9000'), ('lx-navigation', 'LX8000'), ('lx-navigation', 'S100'),
    ('lx-navigation', 'Zeus')
) AS v (make_slug, name)
JOIN makes m ON m.slug = v.make_slug
ON CONFLICT DO NOTHING;

-- ---------------------------------------------------------------------------------------------
-- Airfields, keyed by ICAO code. Filled by the API from data/airfields/airports.csv (the
-- airportsdata package, MIT; see data/airfields/LICENSE), never edited by hand: a new file
-- replaces the whole table. Listings copy the ICAO and coordinates they need.
CREATE TABLE airfields (
    icao            char(4) PRIMARY KEY CHECK (icao ~ '^[A-Z0-9]{4}$'),
    iata            char(3) CHECK (iata ~ '^[A-Z0-9]{3}$'),
    name            text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
    city            text,
    subdivision     text,
    country         char(2) NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
    elevation_ft    integer CHECK (elevation_ft BETWEEN -1500 AND 30000),
    lat             double precision NOT NULL CHECK (lat BETWEEN -90 AND 90),
    lon             double precision NOT NULL CHECK (lon BETWEEN -180 AND 180),
    -- IANA time zone, e.g. Europe/Paris.
    tz              text,
    -- What the search box matches: codes, name and city in search form.
    search_text     text NOT NULL GENERATED ALWAYS AS (catalogue_search_text(
                        icao || ' ' || coalesce(iata, '') || ' ' || name || ' ' || coalesce(city, ''))) STORED
);
CREATE INDEX airfields_search_trgm_idx ON airfields USING gin (search_text gin_trgm_ops);
CREATE INDEX airfields_iata_idx ON airfields (iata) WHERE iata IS NOT NULL;
CREATE INDEX airfields_country_idx ON airfields (country);
-- For the radius search ("within 100 km of LFPN"): earth_box(ll_to_earth(...), metres) @> ...
CREATE INDEX airfields_earth_idx ON airfields USING gist (ll_to_earth(lat, lon));

-- Which version of each bundled data set is loaded: the API compares the digest at start-up
-- and reloads only when it changed.
CREATE TABLE reference_data (
    name            text PRIMARY KEY,
    -- Hex SHA-256 of the loader version and the source file.
    sha256          text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    rows_loaded     integer NOT NULL CHECK (rows_loaded >= 0),
    rows_skipped    integer NOT NULL CHECK (rows_skipped >= 0),
    loaded_at       timestamptz NOT NULL DEFAULT now()
);
