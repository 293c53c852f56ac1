-- Reference Genesys Info Mart for gimexport: partitioned layout.
--
-- The same tables, columns and types as infomart.sql (keep the two in step),
-- with the fact tables and their user-data extensions range-partitioned on
-- START_DATE_TIME_KEY, as in a partitioned Info Mart. PostgreSQL requires the
-- partition key in every unique constraint of a partitioned table, so the
-- primary key of each partitioned table is its own key plus
-- START_DATE_TIME_KEY, e.g. (INTERACTION_RESOURCE_ID, START_DATE_TIME_KEY).
-- The key alone stays unique in the data; only the constraint is wider.
--
-- The script creates each partitioned table with a DEFAULT partition
-- (<table>_PDEFAULT). Daily partitions <table>_PYYYYMMDD covering
-- [day 00:00, next day 00:00) UTC are added by gimexport's sample generator
-- before it loads data, the way Info Mart maintenance adds them ahead of time.
-- CTL_AUDIT_LOG stays one table so that its primary key is AUDIT_KEY alone.
--
-- Names are unquoted, so PostgreSQL stores them in lower case. The script
-- creates nothing outside the current schema: run it with search_path set to
-- the target schema, e.g.
--     PGOPTIONS='-c search_path=gim' psql -d infomart -f infomart_partitioned.sql
-- It applies any number of times: every statement is CREATE ... IF NOT EXISTS
-- or an insert guarded by NOT EXISTS. It does not turn an existing plain
-- layout into a partitioned one.


-- Schema version, read by the export for its metadata file -------------------

CREATE TABLE IF NOT EXISTS CTL_SCHEMA_INFO (
    SCHEMA_VERSION varchar(32) NOT NULL
);

INSERT INTO CTL_SCHEMA_INFO (SCHEMA_VERSION)
SELECT '8.5.116.20'
WHERE NOT EXISTS (SELECT 1 FROM CTL_SCHEMA_INFO);


-- Sequences ------------------------------------------------------------------

-- Every ETL transaction takes the next audit key. A transaction that rolls
-- back loses its key for good: the audit keys have gaps.
CREATE SEQUENCE IF NOT EXISTS SEQ_AUDIT_KEY AS bigint START WITH 1;

-- Surrogate keys of the facts. Different ranges keep an accidental join of
-- two kinds of id from ever matching.
CREATE SEQUENCE IF NOT EXISTS SEQ_INTERACTION_ID
    AS bigint START WITH 5000000000000001;
CREATE SEQUENCE IF NOT EXISTS SEQ_MEDIATION_SEGMENT_ID
    AS bigint START WITH 6000000000000001;
CREATE SEQUENCE IF NOT EXISTS SEQ_INTERACTION_RESOURCE_ID
    AS bigint START WITH 7000000000000001;
CREATE SEQUENCE IF NOT EXISTS SEQ_SM_RES_SESSION_FACT
    AS bigint START WITH 100000001;
CREATE SEQUENCE IF NOT EXISTS SEQ_SM_RES_STATE_FACT
    AS bigint START WITH 300000001;
CREATE SEQUENCE IF NOT EXISTS SEQ_RESOURCE_GROUP_FACT
    AS bigint START WITH 900001;
CREATE SEQUENCE IF NOT EXISTS SEQ_GIDB_G_CALL
    AS bigint START WITH 80000001;


-- Control tables (never exported) --------------------------------------------

-- One row per committed ETL transaction: the audit key its rows carry.
-- The Info Mart partitions this table in partitioned databases; here it stays
-- one table in both layouts so that its primary key is AUDIT_KEY alone.
CREATE TABLE IF NOT EXISTS CTL_AUDIT_LOG (
    AUDIT_KEY numeric(19) NOT NULL PRIMARY KEY,
    JOB_ID varchar(64) NOT NULL,
    CREATED timestamp(3) NOT NULL,
    INSERTED timestamp(3),
    PROCESSING_STATUS_KEY integer NOT NULL,
    MIN_START_DATE_TIME_KEY integer NOT NULL,
    MAX_START_DATE_TIME_KEY integer NOT NULL,
    MAX_CHUNK_TS integer,
    DATA_SOURCE_KEY integer,
    ROW_COUNT integer,
    CREATED_TS integer NOT NULL,
    PRODUCER_INFO_KEY integer
);

CREATE TABLE IF NOT EXISTS CTL_ETL_HISTORY (
    JOB_ID varchar(64) NOT NULL PRIMARY KEY,
    JOB_NAME varchar(255) NOT NULL,
    JOB_VERSION varchar(32),
    AUDIT_KEY numeric(19),
    START_TIME timestamp(3) NOT NULL,
    END_TIME timestamp(3),
    STATUS varchar(32) NOT NULL,
    DATA_FROM_TS integer,
    DATA_TO_TS integer
);

CREATE TABLE IF NOT EXISTS CTL_EXTRACT_HISTORY (
    JOB_ID varchar(64) NOT NULL,
    SOURCE_TABLE varchar(64) NOT NULL,
    LAST_ATTEMPTED_TS integer,
    LAST_SUCCESSFUL_TS integer,
    ROWS_EXTRACTED integer,
    PRIMARY KEY (JOB_ID, SOURCE_TABLE)
);

-- Written by gimexport's sample generator, not part of Genesys Info Mart: the
-- parameters the sample was built with, so that a later run can continue it.
CREATE TABLE IF NOT EXISTS CTL_SAMPLE_SPEC (
    SEED integer NOT NULL,
    START_DATE date NOT NULL,
    DAYS integer NOT NULL,
    SCALE double precision NOT NULL,
    OUTAGE_DAYS integer NOT NULL,
    EMPTY_DAYS integer NOT NULL
);


-- Dimensions -----------------------------------------------------------------

-- One row per 15-minute interval; DATE_TIME_KEY is the epoch second (UTC) at
-- which the interval starts. One extra row in 2025 is the tentative end of
-- facts that are still active.
CREATE TABLE IF NOT EXISTS DATE_TIME (
    DATE_TIME_KEY integer NOT NULL PRIMARY KEY,
    CAL_DATE timestamp(3) NOT NULL,
    CAL_YEAR_NUM integer NOT NULL,
    CAL_MONTH_NUM integer NOT NULL,
    CAL_DAY_NUM_IN_MONTH integer NOT NULL,
    CAL_DAY_NUM_IN_WEEK integer NOT NULL,
    CAL_DAY_NAME varchar(16) NOT NULL,
    CAL_HOUR_24_NUM integer NOT NULL,
    CAL_MINUTE_NUM integer NOT NULL,
    LABEL_YYYY varchar(4) NOT NULL,
    LABEL_YYYY_MM varchar(7) NOT NULL,
    LABEL_YYYY_MM_DD varchar(10) NOT NULL,
    LABEL_YYYY_MM_DD_HH24 varchar(13) NOT NULL,
    LABEL_YYYY_MM_DD_HH24_MI varchar(16) NOT NULL,
    LABEL_YYYY_MM_DD_HH24_15INT varchar(24) NOT NULL,
    LABEL_HH24 varchar(2) NOT NULL,
    LABEL_TZ varchar(32) NOT NULL,
    START_TS integer NOT NULL,
    CREATE_AUDIT_KEY numeric(19) NOT NULL,
    UPDATE_AUDIT_KEY numeric(19) NOT NULL
);

CREATE TABLE IF NOT EXISTS MEDIA_TYPE (
    MEDIA_TYPE_KEY integer NOT NULL PRIMARY KEY,
    MEDIA_NAME varchar(255),
    MEDIA_NAME_CODE varchar(32),
    IS_ONLINE numeric(1),
    CREATE_AUDIT_KEY numeric(19) NOT NULL,
    UPDATE_AUDIT_KEY numeric(19) NOT NULL
);

CREATE TABLE IF NOT EXISTS INTERACTION_TYPE (
    INTERACTION_TYPE_KEY integer NOT NULL PRIMARY KEY,
    INTERACTION_TYPE varchar(64),
    INTERACTION_TYPE_CODE varchar(32),
    INTERACTION_SUBTYPE varchar(64),
    INTERACTION_SUBTYPE_CODE varchar(32),
    IGNORE numeric(1),
    CREATE_AUDIT_KEY numeric(19) NOT NULL,
    UPDATE_AUDIT_KEY numeric(19) NOT NULL
);

CREATE TABLE IF NOT EXISTS TECHNICAL_DESCRIPTOR (
    TECHNICAL_DESCRIPTOR_KEY integer NOT NULL PRIMARY KEY,
    TECHNICAL_RESULT varchar(255),
    TECHNICAL_RESULT_CODE varchar(32),
    RESULT_REASON varchar(255),
    RESULT_REASON_CODE varchar(32),
    RESOURCE_ROLE varchar(255),
    RESOURCE_ROLE_CODE varchar(32),
    ROLE_REASON varchar(255),
    ROLE_REASON_CODE varchar(32),
    CREATE_AUDIT_KEY numeric(19) NOT NULL,
    UPDATE_AUDIT_KEY numeric(19) NOT NULL
);

CREATE TABLE IF NOT EXISTS RESOURCE_STATE (
    RESOURCE_STATE_KEY integer NOT NULL PRIMARY KEY,
    STATE_TYPE varchar(64),
    STATE_TYPE_CODE varchar(32),
    STATE_NAME varchar(64),
    STATE_NAME_CODE varchar(32),
    CREATE_AUDIT_KEY numeric(19) NOT NULL,
    UPDATE_AUDIT_KEY numeric(19) NOT NULL
);

-- No UPDATE_AUDIT_KEY: rows are only ever added.
CREATE TABLE IF NOT EXISTS INTERACTION_DESCRIPTOR (
    INTERACTION_DESCRIPTOR_KEY integer NOT NULL PRIMARY KEY,
    TENANT_KEY integer NOT NULL,
    CUSTOMER_SEGMENT varchar(170) NOT NULL DEFAULT 'DEFAULT_CUSTOMER_SEGMENT',
    SERVICE_TYPE varchar(170) NOT NULL DEFAULT 'DEFAULT_SERVICE_TYPE',
    SERVICE_SUBTYPE varchar(170) NOT NULL DEFAULT 'DEFAULT_SERVICE_SUBTYPE',
    BUSINESS_RESULT varchar(170) NOT NULL DEFAULT 'DEFAULT_BUSINESS_RESULT',
    PURGE_FLAG numeric(1),
    CREATE_AUDIT_KEY numeric(19) NOT NULL
);

CREATE TABLE IF NOT EXISTS RESOURCE_ (
    RESOURCE_KEY integer NOT NULL PRIMARY KEY,
    TENANT_KEY integer NOT NULL,
    RESOURCE_TYPE varchar(255),
    RESOURCE_TYPE_CODE varchar(32),
    RESOURCE_SUBTYPE varchar(255),
    RESOURCE_NAME varchar(255),
    AGENT_FIRST_NAME varchar(64),
    AGENT_LAST_NAME varchar(64),
    AGENT_NAME varchar(255),
    EMPLOYEE_ID varchar(255),
    EXTERNAL_RESOURCE_ID varchar(255),
    RESOURCE_CFG_DBID integer,
    RESOURCE_CFG_TYPE_ID integer,
    START_TS integer,
    END_TS integer,
    PURGE_FLAG numeric(1),
    CREATE_AUDIT_KEY numeric(19) NOT NULL,
    UPDATE_AUDIT_KEY numeric(19) NOT NULL
);

-- A custom user-data dimension. No UPDATE_AUDIT_KEY: rows are only added.
CREATE TABLE IF NOT EXISTS USER_DATA_CUST_DIM_1 (
    ID integer NOT NULL PRIMARY KEY,
    TENANT_KEY integer NOT NULL,
    DIM_ATTRIBUTE_1 varchar(255),
    DIM_ATTRIBUTE_2 varchar(255),
    DIM_ATTRIBUTE_3 varchar(255),
    DIM_ATTRIBUTE_4 varchar(255),
    DIM_ATTRIBUTE_5 varchar(255),
    CREATE_AUDIT_KEY numeric(19) NOT NULL
);


-- Configuration tables copied from Interaction Database (exported) ----------

CREATE TABLE IF NOT EXISTS GIDB_GC_GROUP (
    ID integer NOT NULL PRIMARY KEY,
    NAME varchar(255) NOT NULL,
    TENANTID integer NOT NULL,
    FOLDERID integer,
    TYPE integer NOT NULL,
    DNGROUPTYPE integer,
    STATE integer NOT NULL,
    SCRIPT varchar(1024),
    STATUS integer NOT NULL,
    CREATED timestamp(3),
    DELETED timestamp(3),
    LASTCHANGE timestamp(3),
    CREATED_TS integer,
    DELETED_TS integer,
    LASTCHANGE_TS integer,
    GSYS_DOMAIN integer,
    GSYS_SYS_ID integer,
    GSYS_EXT_VCH1 varchar(255),
    GSYS_EXT_VCH2 varchar(255),
    GSYS_EXT_INT1 integer,
    GSYS_EXT_INT2 integer,
    DATA_SOURCE_KEY integer NOT NULL,
    PRODUCER_BATCH_ID numeric(19),
    CREATE_AUDIT_KEY numeric(19) NOT NULL,
    UPDATE_AUDIT_KEY numeric(19) NOT NULL
);

CREATE TABLE IF NOT EXISTS GIDB_GC_ANNEX (
    ID integer NOT NULL PRIMARY KEY,
    CFGOBJECTID integer,
    CFGOBJECTTYPE smallint,
    SECTIONNAME varchar(255),
    KEYNAME varchar(255),
    TENANTID integer,
    VALUE varchar(255),
    STATUS smallint,
    CREATED timestamp(3),
    DELETED timestamp(3),
    LASTCHANGE timestamp(3),
    CREATED_TS integer,
    DELETED_TS integer,
    LASTCHANGE_TS integer,
    GSYS_DOMAIN integer,
    GSYS_SYS_ID integer,
    GSYS_EXT_VCH1 varchar(255),
    GSYS_EXT_VCH2 varchar(255),
    GSYS_EXT_INT1 integer,
    GSYS_EXT_INT2 integer,
    DATA_SOURCE_KEY integer NOT NULL,
    PRODUCER_BATCH_ID numeric(19),
    CREATE_AUDIT_KEY numeric(19) NOT NULL,
    UPDATE_AUDIT_KEY numeric(19) NOT NULL
);


-- Facts ----------------------------------------------------------------------

CREATE TABLE IF NOT EXISTS INTERACTION_FACT (
    INTERACTION_ID numeric(19) NOT NULL,
    TENANT_KEY integer NOT NULL,
    INTERACTION_TYPE_KEY integer NOT NULL,
    MEDIA_TYPE_KEY integer NOT NULL,
    MEDIA_SERVER_ROOT_IXN_ID numeric(20),
    MEDIA_SERVER_IXN_ID numeric(20),
    MEDIA_SERVER_ROOT_IXN_GUID varchar(50),
    MEDIA_SERVER_IXN_GUID varchar(50),
    SOURCE_ADDRESS varchar(255),
    TARGET_ADDRESS varchar(255),
    SUBJECT varchar(1024),
    STATUS smallint NOT NULL DEFAULT 0,
    START_TS integer,
    END_TS integer,
    START_DATE_TIME_KEY integer NOT NULL,
    END_DATE_TIME_KEY integer,
    ANCHOR_ID numeric(19),
    ANCHOR_SDT_KEY integer,
    ACTIVE_FLAG numeric(1),
    PURGE_FLAG numeric(1),
    PRODUCER_BATCH_ID numeric(19),
    CREATE_AUDIT_KEY numeric(19) NOT NULL,
    UPDATE_AUDIT_KEY numeric(19) NOT NULL,
    PRIMARY KEY (INTERACTION_ID, START_DATE_TIME_KEY)
) PARTITION BY RANGE (START_DATE_TIME_KEY);
CREATE TABLE IF NOT EXISTS INTERACTION_FACT_PDEFAULT
    PARTITION OF INTERACTION_FACT DEFAULT;

CREATE TABLE IF NOT EXISTS INTERACTION_RESOURCE_FACT (
    INTERACTION_RESOURCE_ID numeric(19) NOT NULL,
    TENANT_KEY integer NOT NULL,
    INTERACTION_ID numeric(19) NOT NULL,
    INTERACTION_SDT_KEY integer,
    INTERACTION_TYPE_KEY integer NOT NULL,
    MEDIA_TYPE_KEY integer NOT NULL,
    RESOURCE_KEY integer NOT NULL,
    MEDIA_RESOURCE_KEY integer,
    RESOURCE_GROUP_COMBINATION_KEY integer,
    TECHNICAL_DESCRIPTOR_KEY integer,
    ANCHOR_FLAGS_KEY integer,
    ROUTING_TARGET_KEY integer,
    REQUESTED_SKILL_KEY integer,
    LAST_VQUEUE_RESOURCE_KEY integer,
    MEDIATION_RESOURCE_KEY integer,
    MEDIATION_SEGMENT_ID numeric(19),
    MEDIATION_SEGMENT_SDT_KEY integer,
    MEDIATION_START_DATE_TIME_KEY integer,
    RES_PREVIOUS_SM_STATE_KEY integer,
    PARTYGUID varchar(50),
    TARGET_ADDRESS varchar(255),
    START_DATE_TIME_KEY integer NOT NULL,
    END_DATE_TIME_KEY integer,
    START_TS integer,
    END_TS integer,
    IRF_ANCHOR numeric(1),
    LAST_INTERACTION_RESOURCE numeric(1),
    STOP_ACTION numeric(1),
    MET_SERVICE_OBJECTIVE_FLAG numeric(1),
    RING_COUNT integer,
    RING_DURATION integer,
    TALK_COUNT integer,
    TALK_DURATION integer,
    HOLD_COUNT integer,
    HOLD_DURATION integer,
    AFTER_CALL_WORK_COUNT integer,
    AFTER_CALL_WORK_DURATION integer,
    HANDLE_COUNT integer,
    CUSTOMER_RING_COUNT integer,
    CUSTOMER_RING_DURATION integer,
    CUSTOMER_DIAL_COUNT integer,
    CUSTOMER_DIAL_DURATION integer,
    CUSTOMER_TALK_COUNT integer,
    CUSTOMER_TALK_DURATION integer,
    CUSTOMER_HOLD_DURATION integer,
    CUSTOMER_ACW_DURATION integer,
    CUSTOMER_HANDLE_COUNT integer,
    CONFERENCE_INITIATED_COUNT integer,
    CONF_JOIN_TALK_COUNT integer,
    CONF_JOIN_TALK_DURATION integer,
    CONS_INIT_TALK_COUNT integer,
    CONS_INIT_TALK_DURATION integer,
    CONS_RCV_TALK_COUNT integer,
    CONS_RCV_TALK_DURATION integer,
    POST_CONS_XFER_TALK_COUNT integer,
    POST_CONS_XFER_TALK_DURATION integer,
    AGENT_TO_AGENT_CONS_DURATION integer,
    ACTIVE_FLAG numeric(1),
    PURGE_FLAG numeric(1),
    PRODUCER_BATCH_ID numeric(19),
    CREATE_AUDIT_KEY numeric(19) NOT NULL,
    UPDATE_AUDIT_KEY numeric(19) NOT NULL,
    PRIMARY KEY (INTERACTION_RESOURCE_ID, START_DATE_TIME_KEY)
) PARTITION BY RANGE (START_DATE_TIME_KEY);
CREATE TABLE IF NOT EXISTS INTERACTION_RESOURCE_FACT_PDEFAULT
    PARTITION OF INTERACTION_RESOURCE_FACT DEFAULT;

CREATE TABLE IF NOT EXISTS MEDIATION_SEGMENT_FACT (
    MEDIATION_SEGMENT_ID numeric(19) NOT NULL,
    TENANT_KEY integer NOT NULL,
    INTERACTION_ID numeric(19) NOT NULL,
    INTERACTION_TYPE_KEY integer NOT NULL,
    MEDIA_TYPE_KEY integer NOT NULL,
    RESOURCE_KEY integer NOT NULL,
    RESOURCE_GROUP_COMBINATION_KEY integer,
    TECHNICAL_DESCRIPTOR_KEY integer,
    IXN_RESOURCE_ID numeric(19),
    TARGET_IXN_RESOURCE_ID numeric(19),
    TARGET_IXN_RESOURCE_SDT_KEY integer,
    MEDIA_SERVER_IXN_GUID varchar(50),
    ORSSESSIONID varchar(64),
    START_DATE_TIME_KEY integer NOT NULL,
    END_DATE_TIME_KEY integer,
    START_TS integer,
    END_TS integer,
    MEDIATION_DURATION integer,
    USERDATA_FLAG numeric(1),
    ACTIVE_FLAG numeric(1),
    PURGE_FLAG numeric(1),
    PRODUCER_BATCH_ID numeric(19),
    CREATE_AUDIT_KEY numeric(19) NOT NULL,
    UPDATE_AUDIT_KEY numeric(19) NOT NULL,
    PRIMARY KEY (MEDIATION_SEGMENT_ID, START_DATE_TIME_KEY)
) PARTITION BY RANGE (START_DATE_TIME_KEY);
CREATE TABLE IF NOT EXISTS MEDIATION_SEGMENT_FACT_PDEFAULT
    PARTITION OF MEDIATION_SEGMENT_FACT DEFAULT;

-- The user-data extensions of IRF default CREATE_AUDIT_KEY to -1 and
-- UPDATE_AUDIT_KEY to 0, as the Info Mart does: a row that was never updated
-- carries UPDATE_AUDIT_KEY 0.
CREATE TABLE IF NOT EXISTS IRF_USER_DATA_GEN_1 (
    INTERACTION_RESOURCE_ID numeric(19) NOT NULL,
    START_DATE_TIME_KEY integer NOT NULL,
    TENANT_KEY integer NOT NULL,
    CREATE_AUDIT_KEY numeric(19) NOT NULL DEFAULT -1,
    UPDATE_AUDIT_KEY numeric(19) NOT NULL DEFAULT 0,
    CASE_ID varchar(255),
    CUSTOMER_ID varchar(255),
    GSW_CALL_ATTEMPT_GUID varchar(64),
    GSW_CALL_TYPE varchar(255),
    GVP_SESSION_ID varchar(255),
    REVENUE numeric(14, 2),
    SATISFACTION double precision,
    PRODUCER_BATCH_ID numeric(19),
    PRIMARY KEY (INTERACTION_RESOURCE_ID, START_DATE_TIME_KEY)
) PARTITION BY RANGE (START_DATE_TIME_KEY);
CREATE TABLE IF NOT EXISTS IRF_USER_DATA_GEN_1_PDEFAULT
    PARTITION OF IRF_USER_DATA_GEN_1 DEFAULT;

CREATE TABLE IF NOT EXISTS IRF_USER_DATA_KEYS (
    INTERACTION_RESOURCE_ID numeric(19) NOT NULL,
    START_DATE_TIME_KEY integer NOT NULL,
    TENANT_KEY integer NOT NULL,
    CREATE_AUDIT_KEY numeric(19) NOT NULL DEFAULT -1,
    UPDATE_AUDIT_KEY numeric(19) NOT NULL DEFAULT 0,
    INTERACTION_DESCRIPTOR_KEY integer,
    USER_DATA_GEN_DIM_KEY_1 integer,
    USER_DATA_GEN_DIM_KEY_2 integer,
    CUSTOM_KEY_1 integer,
    CUSTOM_KEY_2 integer,
    PRODUCER_BATCH_ID numeric(19),
    PRIMARY KEY (INTERACTION_RESOURCE_ID, START_DATE_TIME_KEY)
) PARTITION BY RANGE (START_DATE_TIME_KEY);
CREATE TABLE IF NOT EXISTS IRF_USER_DATA_KEYS_PDEFAULT
    PARTITION OF IRF_USER_DATA_KEYS DEFAULT;

CREATE TABLE IF NOT EXISTS IRF_USER_DATA_CUST_1 (
    INTERACTION_RESOURCE_ID numeric(19) NOT NULL,
    START_DATE_TIME_KEY integer NOT NULL,
    TENANT_KEY integer NOT NULL,
    CREATE_AUDIT_KEY numeric(19) NOT NULL DEFAULT -1,
    UPDATE_AUDIT_KEY numeric(19) NOT NULL DEFAULT 0,
    CUSTOM_DATA_1 varchar(1024),
    CUSTOM_DATA_2 varchar(1024),
    CUSTOM_DATA_3 varchar(1024),
    CUSTOM_DATA_4 varchar(1024),
    CUSTOM_DATA_5 varchar(1024),
    CUSTOM_DATA_6 varchar(1024),
    CUSTOM_DATA_7 varchar(1024),
    CUSTOM_DATA_8 varchar(1024),
    CUSTOM_DATA_9 varchar(1024),
    CUSTOM_DATA_10 varchar(1024),
    CUSTOM_DATA_11 varchar(1024),
    CUSTOM_DATA_12 varchar(1024),
    CUSTOM_DATA_13 varchar(1024),
    CUSTOM_DATA_14 varchar(1024),
    CUSTOM_DATA_15 varchar(1024),
    CUSTOM_DATA_16 varchar(1024),
    PRODUCER_BATCH_ID numeric(19),
    PRIMARY KEY (INTERACTION_RESOURCE_ID, START_DATE_TIME_KEY)
) PARTITION BY RANGE (START_DATE_TIME_KEY);
CREATE TABLE IF NOT EXISTS IRF_USER_DATA_CUST_1_PDEFAULT
    PARTITION OF IRF_USER_DATA_CUST_1 DEFAULT;

CREATE TABLE IF NOT EXISTS SM_RES_SESSION_FACT (
    SM_RES_SESSION_FACT_KEY numeric(19) NOT NULL,
    TENANT_KEY integer NOT NULL,
    MEDIA_TYPE_KEY integer NOT NULL,
    RESOURCE_KEY integer NOT NULL,
    RESOURCE_GROUP_COMBINATION_KEY integer,
    AGENT_LOCATION_KEY integer,
    START_DATE_TIME_KEY integer NOT NULL,
    END_DATE_TIME_KEY integer,
    START_TS integer,
    END_TS integer,
    TOTAL_DURATION integer,
    ACTIVE_FLAG numeric(1),
    PURGE_FLAG numeric(1),
    PRODUCER_BATCH_ID numeric(19),
    CREATE_AUDIT_KEY numeric(19) NOT NULL,
    UPDATE_AUDIT_KEY numeric(19) NOT NULL,
    PRIMARY KEY (SM_RES_SESSION_FACT_KEY, START_DATE_TIME_KEY)
) PARTITION BY RANGE (START_DATE_TIME_KEY);
CREATE TABLE IF NOT EXISTS SM_RES_SESSION_FACT_PDEFAULT
    PARTITION OF SM_RES_SESSION_FACT DEFAULT;

CREATE TABLE IF NOT EXISTS SM_RES_STATE_FACT (
    SM_RES_STATE_FACT_KEY numeric(19) NOT NULL,
    SM_RES_SESSION_FACT_KEY numeric(19),
    TENANT_KEY integer NOT NULL,
    MEDIA_TYPE_KEY integer NOT NULL,
    RESOURCE_KEY integer NOT NULL,
    RESOURCE_STATE_KEY integer NOT NULL,
    RESOURCE_GROUP_COMBINATION_KEY integer,
    START_DATE_TIME_KEY integer NOT NULL,
    END_DATE_TIME_KEY integer,
    START_TS integer,
    END_TS integer,
    TOTAL_DURATION integer,
    ACTIVE_FLAG numeric(1),
    PURGE_FLAG numeric(1),
    PRODUCER_BATCH_ID numeric(19),
    CREATE_AUDIT_KEY numeric(19) NOT NULL,
    UPDATE_AUDIT_KEY numeric(19) NOT NULL,
    PRIMARY KEY (SM_RES_STATE_FACT_KEY, START_DATE_TIME_KEY)
) PARTITION BY RANGE (START_DATE_TIME_KEY);
CREATE TABLE IF NOT EXISTS SM_RES_STATE_FACT_PDEFAULT
    PARTITION OF SM_RES_STATE_FACT DEFAULT;

-- The table behind the RESOURCE_GROUP_FACT view: which agent belonged to
-- which group (GIDB_GC_GROUP.ID) and when.
CREATE TABLE IF NOT EXISTS RESOURCE_GROUP_FACT_ (
    RESOURCE_GROUP_FACT_KEY numeric(19) NOT NULL,
    START_DATE_TIME_KEY integer NOT NULL,
    END_DATE_TIME_KEY integer,
    TENANT_KEY integer NOT NULL,
    RESOURCE_KEY integer NOT NULL,
    GROUP_KEY integer NOT NULL,
    START_TS integer,
    END_TS integer,
    ACTIVE_FLAG numeric(1),
    PURGE_FLAG numeric(1),
    CREATE_AUDIT_KEY numeric(19) NOT NULL,
    UPDATE_AUDIT_KEY numeric(19) NOT NULL,
    PRIMARY KEY (RESOURCE_GROUP_FACT_KEY, START_DATE_TIME_KEY)
) PARTITION BY RANGE (START_DATE_TIME_KEY);
CREATE TABLE IF NOT EXISTS RESOURCE_GROUP_FACT_PDEFAULT
    PARTITION OF RESOURCE_GROUP_FACT_ DEFAULT;

-- Facts that are still open are found through these small partial indexes
-- when a later transaction closes them.
CREATE INDEX IF NOT EXISTS I_IRF_ACTIVE
    ON INTERACTION_RESOURCE_FACT (START_TS) WHERE ACTIVE_FLAG = 1;
CREATE INDEX IF NOT EXISTS I_SM_RES_SESSION_ACTIVE
    ON SM_RES_SESSION_FACT (START_TS) WHERE ACTIVE_FLAG = 1;
CREATE INDEX IF NOT EXISTS I_RESOURCE_GROUP_FACT_ACTIVE
    ON RESOURCE_GROUP_FACT_ (RESOURCE_KEY) WHERE ACTIVE_FLAG = 1;
CREATE INDEX IF NOT EXISTS I_SM_RES_SESSION_START
    ON SM_RES_SESSION_FACT (START_TS);

-- Rows of a range of audit keys, as aggregation and export read them.
CREATE INDEX IF NOT EXISTS I_IF_CAK ON INTERACTION_FACT (CREATE_AUDIT_KEY);
CREATE INDEX IF NOT EXISTS I_IF_UAK ON INTERACTION_FACT (UPDATE_AUDIT_KEY);
CREATE INDEX IF NOT EXISTS I_IRF_CAK
    ON INTERACTION_RESOURCE_FACT (CREATE_AUDIT_KEY);
CREATE INDEX IF NOT EXISTS I_IRF_UAK
    ON INTERACTION_RESOURCE_FACT (UPDATE_AUDIT_KEY);
CREATE INDEX IF NOT EXISTS I_MSF_CAK ON MEDIATION_SEGMENT_FACT (CREATE_AUDIT_KEY);
CREATE INDEX IF NOT EXISTS I_IRF_CUST_1_UAK
    ON IRF_USER_DATA_CUST_1 (UPDATE_AUDIT_KEY);


-- Tables the export leaves out -----------------------------------------------

-- An aggregate (RAA) table.
CREATE TABLE IF NOT EXISTS AG2_AGENT_HOUR (
    DATE_TIME_KEY integer NOT NULL,
    TENANT_KEY integer NOT NULL,
    RESOURCE_KEY integer NOT NULL,
    MEDIA_TYPE_KEY integer NOT NULL,
    ACCEPTED integer,
    ENGAGE_TIME integer,
    HOLD_TIME integer,
    WRAP_TIME integer,
    CREATE_AUDIT_KEY numeric(19) NOT NULL,
    UPDATE_AUDIT_KEY numeric(19) NOT NULL,
    PRIMARY KEY (DATE_TIME_KEY, RESOURCE_KEY, MEDIA_TYPE_KEY, CREATE_AUDIT_KEY)
);

-- An internal Interaction Database table (calls), not configuration.
CREATE TABLE IF NOT EXISTS GIDB_G_CALL (
    ID numeric(16) NOT NULL PRIMARY KEY,
    CALLID varchar(50) NOT NULL,
    CONNID varchar(50),
    CALLTYPE integer,
    STATE integer,
    CREATED timestamp(3),
    TERMINATED timestamp(3),
    CREATED_TS integer,
    TERMINATED_TS integer,
    GSYS_DOMAIN integer,
    CREATE_AUDIT_KEY numeric(19) NOT NULL,
    UPDATE_AUDIT_KEY numeric(19) NOT NULL
);

-- A staging table of the transformation job.
CREATE TABLE IF NOT EXISTS STG_IRF (
    INTERACTION_RESOURCE_ID numeric(19) NOT NULL,
    INTERACTION_ID numeric(19),
    RESOURCE_KEY integer,
    START_TS integer,
    END_TS integer,
    CREATE_AUDIT_KEY numeric(19) NOT NULL
);
