-- The policy library: an embedded SQLite index of many payers' policies (issue #17).
-- Every row is derived from a version's stored JSON (versions.json), so the whole index can be
-- rebuilt from that column alone ("index --rebuild") when this schema changes.
-- Table and column names are public: the query commands and Datasette read them.
-- Spans: page is 1-based (NULL for text/markdown); line_start/line_end are 1-based source lines.

-- Key/value facts about the database itself.
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,   -- 'schema_version' (this file's version, e.g. '1')
    value TEXT NOT NULL     -- the value, as text
);

-- One row per policy: the same payer + policy number (or, without a number, payer + normalised
-- title) across all its versions.
CREATE TABLE IF NOT EXISTS policies (
    id INTEGER PRIMARY KEY,
    identity TEXT NOT NULL UNIQUE,  -- 'payer|number:<policy_number>' or 'payer|title:<title>', normalised
    payer TEXT,                     -- payer as written in the latest indexed version
    policy_number TEXT,             -- the payer's policy number, NULL when the document has none
    title TEXT,                     -- title of the latest indexed version
    drug_generic_name TEXT,         -- drug.generic_name of the latest indexed version
    drug_key TEXT                   -- drug_key(drug_generic_name): one generic name across payers
);
CREATE INDEX IF NOT EXISTS policies_payer ON policies (payer);
CREATE INDEX IF NOT EXISTS policies_drug_key ON policies (drug_key);

-- One row per indexed document (a version of a policy); unique by the source file's sha256.
CREATE TABLE IF NOT EXISTS versions (
    id INTEGER PRIMARY KEY,
    policy_id INTEGER NOT NULL REFERENCES policies (id),
    effective_date TEXT,           -- ISO date the version is in force (may be NULL)
    title TEXT,                    -- this version's title
    source_path TEXT NOT NULL,     -- source.path as recorded in the JSON
    sha256 TEXT NOT NULL UNIQUE,   -- source.sha256: re-indexing the same file is a no-op
    format TEXT,                   -- source.format: pdf | markdown | text
    profile TEXT,                  -- the payer profile that read it
    json TEXT NOT NULL,            -- the whole Policy JSON (contract 1.x); the index's only input
    indexed_order INTEGER NOT NULL, -- 1, 2, 3 ... in the order versions were added
    is_current INTEGER NOT NULL DEFAULT 0 -- 1 for the policy's latest version (see current_versions)
);
CREATE INDEX IF NOT EXISTS versions_policy ON versions (policy_id, effective_date);
CREATE INDEX IF NOT EXISTS versions_current ON versions (is_current, id);

-- The latest version of each policy (greatest effective date, then latest indexed; a version
-- without a date only when none has one): "who covers X now" reads this. index keeps
-- versions.is_current up to date in the same transaction, so the view is an index lookup.
CREATE VIEW IF NOT EXISTS current_versions AS
SELECT * FROM versions WHERE is_current = 1;

-- Drug products a version covers (products[]; a single-drug policy has one row from drug).
CREATE TABLE IF NOT EXISTS products (
    id INTEGER PRIMARY KEY,
    version_id INTEGER NOT NULL REFERENCES versions (id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL,  -- position in the document, from 0
    name TEXT NOT NULL,        -- product name as written
    generic_name TEXT,         -- its generic name, when given
    drug_key TEXT,             -- drug_key() of the generic name (or of the name)
    brand_names TEXT NOT NULL, -- JSON array of brand names
    flags TEXT NOT NULL DEFAULT '{}',  -- JSON object: a drug list row's other columns, verbatim
    page INTEGER, line_start INTEGER, line_end INTEGER
);
CREATE INDEX IF NOT EXISTS products_version ON products (version_id);
CREATE INDEX IF NOT EXISTS products_drug_key ON products (drug_key);

-- HCPCS codes: drug_details.hcpcs (product_id NULL) and every product's codes.
CREATE TABLE IF NOT EXISTS hcpcs (
    id INTEGER PRIMARY KEY,
    version_id INTEGER NOT NULL REFERENCES versions (id) ON DELETE CASCADE,
    code TEXT NOT NULL,        -- upper-case code, e.g. 'J1745'
    description TEXT,          -- its description, when given
    product_id INTEGER REFERENCES products (id) ON DELETE CASCADE,  -- NULL: the policy's own drug
    page INTEGER, line_start INTEGER, line_end INTEGER
);
CREATE INDEX IF NOT EXISTS hcpcs_code ON hcpcs (code);
CREATE INDEX IF NOT EXISTS hcpcs_version ON hcpcs (version_id);

-- Every generic and brand name of a version (drug and products), normalised, for lookup by name.
CREATE TABLE IF NOT EXISTS drug_names (
    version_id INTEGER NOT NULL REFERENCES versions (id) ON DELETE CASCADE,
    name TEXT NOT NULL,        -- the name as written
    name_norm TEXT NOT NULL,   -- lower-cased, whitespace collapsed
    drug_key TEXT NOT NULL,    -- drug_key(name): the generic it resolves to
    kind TEXT NOT NULL,        -- 'generic' | 'brand'
    PRIMARY KEY (version_id, name_norm, kind)
);
CREATE INDEX IF NOT EXISTS drug_names_norm ON drug_names (name_norm);
CREATE INDEX IF NOT EXISTS drug_names_key ON drug_names (drug_key);

-- Covered indications (coverage[]).
CREATE TABLE IF NOT EXISTS conditions (
    id INTEGER PRIMARY KEY,
    version_id INTEGER NOT NULL REFERENCES versions (id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL,            -- position in coverage[], from 0
    slug TEXT NOT NULL,                  -- the condition's id in the JSON
    name TEXT NOT NULL,                  -- the condition as written
    indication_key TEXT NOT NULL,        -- indication_key(name): matches indications across payers
    prior_authorization INTEGER,         -- 1 required, 0 not, NULL unknown
    initial_duration_value REAL,         -- the initial approval period (coverage_periods phase initial)
    initial_duration_unit TEXT,          -- h | d | wk | mo | a
    continuation_duration_value REAL,    -- the continuation approval period
    continuation_duration_unit TEXT,
    page INTEGER, line_start INTEGER, line_end INTEGER
);
CREATE INDEX IF NOT EXISTS conditions_version ON conditions (version_id);
CREATE INDEX IF NOT EXISTS conditions_indication_key ON conditions (indication_key);

-- Criteria nodes, tree kept: general criteria (condition_id NULL, phase 'general') and each
-- condition's initial and continuation criteria.
CREATE TABLE IF NOT EXISTS criteria (
    id INTEGER PRIMARY KEY,
    version_id INTEGER NOT NULL REFERENCES versions (id) ON DELETE CASCADE,
    condition_id INTEGER REFERENCES conditions (id) ON DELETE CASCADE,  -- NULL: general criteria
    parent_id INTEGER REFERENCES criteria (id) ON DELETE CASCADE,       -- NULL: a tree's root
    phase TEXT NOT NULL,       -- 'initial' | 'continuation' | 'general'
    ordinal INTEGER NOT NULL,  -- position among its siblings, from 0
    depth INTEGER NOT NULL,    -- 0 for a root
    label TEXT,                -- '1.', 'a.' ...
    operator TEXT,             -- all | any | at_least; NULL for a leaf
    min_count INTEGER,         -- for at_least
    text TEXT NOT NULL,        -- the criterion verbatim
    page INTEGER, line_start INTEGER, line_end INTEGER
);
CREATE INDEX IF NOT EXISTS criteria_version ON criteria (version_id);
CREATE INDEX IF NOT EXISTS criteria_condition ON criteria (condition_id);
CREATE INDEX IF NOT EXISTS criteria_parent ON criteria (parent_id);

-- Drugs a criterion requires tried first (step therapy), from step_therapy_drugs().
CREATE TABLE IF NOT EXISTS step_therapy (
    id INTEGER PRIMARY KEY,
    criterion_id INTEGER NOT NULL REFERENCES criteria (id) ON DELETE CASCADE,
    version_id INTEGER NOT NULL REFERENCES versions (id) ON DELETE CASCADE,
    condition_id INTEGER REFERENCES conditions (id) ON DELETE CASCADE,  -- NULL: general criteria
    drug TEXT NOT NULL,        -- the drug as written
    drug_key TEXT NOT NULL,    -- drug_key(drug)
    page INTEGER, line_start INTEGER, line_end INTEGER
);
CREATE INDEX IF NOT EXISTS step_therapy_version ON step_therapy (version_id);
CREATE INDEX IF NOT EXISTS step_therapy_drug_key ON step_therapy (drug_key);

-- ICD-10 codes: per condition (condition_id set) and the document's coding tables (NULL).
CREATE TABLE IF NOT EXISTS icd10 (
    id INTEGER PRIMARY KEY,
    version_id INTEGER NOT NULL REFERENCES versions (id) ON DELETE CASCADE,
    condition_id INTEGER REFERENCES conditions (id) ON DELETE CASCADE,  -- NULL: document level
    code TEXT NOT NULL,        -- a code or a range 'M05.00-M05.9'
    range_start TEXT,          -- a range's first code
    range_end TEXT,            -- a range's last code
    description TEXT,
    applies_to TEXT NOT NULL,  -- JSON array: products/HCPCS a coding table ties it to
    page INTEGER, line_start INTEGER, line_end INTEGER
);
CREATE INDEX IF NOT EXISTS icd10_version ON icd10 (version_id);
CREATE INDEX IF NOT EXISTS icd10_code ON icd10 (code);

-- Uses the policy states are not covered (not_covered[]).
CREATE TABLE IF NOT EXISTS not_covered (
    id INTEGER PRIMARY KEY,
    version_id INTEGER NOT NULL REFERENCES versions (id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL,
    text TEXT NOT NULL,
    page INTEGER, line_start INTEGER, line_end INTEGER
);
CREATE INDEX IF NOT EXISTS not_covered_version ON not_covered (version_id);

-- Full-text search over titles, condition names and criteria text. kind says which;
-- row_id is the versions.id, conditions.id or criteria.id the text came from.
CREATE VIRTUAL TABLE IF NOT EXISTS search USING fts5 (
    text,                      -- the searchable text
    kind UNINDEXED,            -- 'title' | 'condition' | 'criterion'
    row_id UNINDEXED,          -- id in versions / conditions / criteria
    version_id UNINDEXED,      -- the version it belongs to
    tokenize = 'porter unicode61'
);
