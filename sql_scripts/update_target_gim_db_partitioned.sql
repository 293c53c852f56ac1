-- Target schema for data exported by gimexport: 19 tables, partitioned layout.
-- Source: the reference Info Mart of sql_scripts/infomart.sql.
-- Written by `gimexport target-ddl`: generate it again rather than edit it.
--
-- Creates the tables that are missing, with their primary keys, and adds
-- the columns that are missing (nullable, since older rows lack them).
-- Widens a column that is narrower than the source's (a longer varchar,
-- a larger numeric, integer to bigint, ...); a column wider or of
-- another type than the source's is left alone with a WARNING.
-- Lets a column take NULL where the source does.
-- Never drops a table or a column and never narrows a type: run it any
-- number of times, on an empty database or on a target made before.
--
-- Objects go to the current schema, the first of search_path:
--     PGOPTIONS='-c search_path=gim' \
--         psql -v ON_ERROR_STOP=1 -1 -d target -f <this script>
--
-- Tables with START_DATE_TIME_KEY are range-partitioned on it, with
-- the column in their primary key and a DEFAULT partition that takes
-- any row; add ranges of your own with CREATE TABLE ... PARTITION OF
-- (rows in the DEFAULT partition for that range must move first).
-- A plain table that exists already stays plain.

SET client_min_messages = warning;

-- date_time
CREATE TABLE IF NOT EXISTS "date_time" (
    "date_time_key" integer NOT NULL,
    "cal_date" timestamp(3) without time zone NOT NULL,
    "cal_year_num" integer NOT NULL,
    "cal_month_num" integer NOT NULL,
    "cal_day_num_in_month" integer NOT NULL,
    "cal_day_num_in_week" integer NOT NULL,
    "cal_day_name" character varying(16) NOT NULL,
    "cal_hour_24_num" integer NOT NULL,
    "cal_minute_num" integer NOT NULL,
    "label_yyyy" character varying(4) NOT NULL,
    "label_yyyy_mm" character varying(7) NOT NULL,
    "label_yyyy_mm_dd" character varying(10) NOT NULL,
    "label_yyyy_mm_dd_hh24" character varying(13) NOT NULL,
    "label_yyyy_mm_dd_hh24_mi" character varying(16) NOT NULL,
    "label_yyyy_mm_dd_hh24_15int" character varying(24) NOT NULL,
    "label_hh24" character varying(2) NOT NULL,
    "label_tz" character varying(32) NOT NULL,
    "start_ts" integer NOT NULL,
    "create_audit_key" numeric(19,0) NOT NULL,
    "update_audit_key" numeric(19,0) NOT NULL,
    PRIMARY KEY ("date_time_key")
);
ALTER TABLE "date_time"
    ADD COLUMN IF NOT EXISTS "date_time_key" integer,
    ADD COLUMN IF NOT EXISTS "cal_date" timestamp(3) without time zone,
    ADD COLUMN IF NOT EXISTS "cal_year_num" integer,
    ADD COLUMN IF NOT EXISTS "cal_month_num" integer,
    ADD COLUMN IF NOT EXISTS "cal_day_num_in_month" integer,
    ADD COLUMN IF NOT EXISTS "cal_day_num_in_week" integer,
    ADD COLUMN IF NOT EXISTS "cal_day_name" character varying(16),
    ADD COLUMN IF NOT EXISTS "cal_hour_24_num" integer,
    ADD COLUMN IF NOT EXISTS "cal_minute_num" integer,
    ADD COLUMN IF NOT EXISTS "label_yyyy" character varying(4),
    ADD COLUMN IF NOT EXISTS "label_yyyy_mm" character varying(7),
    ADD COLUMN IF NOT EXISTS "label_yyyy_mm_dd" character varying(10),
    ADD COLUMN IF NOT EXISTS "label_yyyy_mm_dd_hh24" character varying(13),
    ADD COLUMN IF NOT EXISTS "label_yyyy_mm_dd_hh24_mi" character varying(16),
    ADD COLUMN IF NOT EXISTS "label_yyyy_mm_dd_hh24_15int" character varying(24),
    ADD COLUMN IF NOT EXISTS "label_hh24" character varying(2),
    ADD COLUMN IF NOT EXISTS "label_tz" character varying(32),
    ADD COLUMN IF NOT EXISTS "start_ts" integer,
    ADD COLUMN IF NOT EXISTS "create_audit_key" numeric(19,0),
    ADD COLUMN IF NOT EXISTS "update_audit_key" numeric(19,0);

-- gidb_gc_annex
CREATE TABLE IF NOT EXISTS "gidb_gc_annex" (
    "id" integer NOT NULL,
    "cfgobjectid" integer,
    "cfgobjecttype" smallint,
    "sectionname" character varying(255),
    "keyname" character varying(255),
    "tenantid" integer,
    "value" character varying(255),
    "status" smallint,
    "created" timestamp(3) without time zone,
    "deleted" timestamp(3) without time zone,
    "lastchange" timestamp(3) without time zone,
    "created_ts" integer,
    "deleted_ts" integer,
    "lastchange_ts" integer,
    "gsys_domain" integer,
    "gsys_sys_id" integer,
    "gsys_ext_vch1" character varying(255),
    "gsys_ext_vch2" character varying(255),
    "gsys_ext_int1" integer,
    "gsys_ext_int2" integer,
    "data_source_key" integer NOT NULL,
    "producer_batch_id" numeric(19,0),
    "create_audit_key" numeric(19,0) NOT NULL,
    "update_audit_key" numeric(19,0) NOT NULL,
    PRIMARY KEY ("id")
);
ALTER TABLE "gidb_gc_annex"
    ADD COLUMN IF NOT EXISTS "id" integer,
    ADD COLUMN IF NOT EXISTS "cfgobjectid" integer,
    ADD COLUMN IF NOT EXISTS "cfgobjecttype" smallint,
    ADD COLUMN IF NOT EXISTS "sectionname" character varying(255),
    ADD COLUMN IF NOT EXISTS "keyname" character varying(255),
    ADD COLUMN IF NOT EXISTS "tenantid" integer,
    ADD COLUMN IF NOT EXISTS "value" character varying(255),
    ADD COLUMN IF NOT EXISTS "status" smallint,
    ADD COLUMN IF NOT EXISTS "created" timestamp(3) without time zone,
    ADD COLUMN IF NOT EXISTS "deleted" timestamp(3) without time zone,
    ADD COLUMN IF NOT EXISTS "lastchange" timestamp(3) without time zone,
    ADD COLUMN IF NOT EXISTS "created_ts" integer,
    ADD COLUMN IF NOT EXISTS "deleted_ts" integer,
    ADD COLUMN IF NOT EXISTS "lastchange_ts" integer,
    ADD COLUMN IF NOT EXISTS "gsys_domain" integer,
    ADD COLUMN IF NOT EXISTS "gsys_sys_id" integer,
    ADD COLUMN IF NOT EXISTS "gsys_ext_vch1" character varying(255),
    ADD COLUMN IF NOT EXISTS "gsys_ext_vch2" character varying(255),
    ADD COLUMN IF NOT EXISTS "gsys_ext_int1" integer,
    ADD COLUMN IF NOT EXISTS "gsys_ext_int2" integer,
    ADD COLUMN IF NOT EXISTS "data_source_key" integer,
    ADD COLUMN IF NOT EXISTS "producer_batch_id" numeric(19,0),
    ADD COLUMN IF NOT EXISTS "create_audit_key" numeric(19,0),
    ADD COLUMN IF NOT EXISTS "update_audit_key" numeric(19,0);

-- gidb_gc_group
CREATE TABLE IF NOT EXISTS "gidb_gc_group" (
    "id" integer NOT NULL,
    "name" character varying(255) NOT NULL,
    "tenantid" integer NOT NULL,
    "folderid" integer,
    "type" integer NOT NULL,
    "dngrouptype" integer,
    "state" integer NOT NULL,
    "script" character varying(1024),
    "status" integer NOT NULL,
    "created" timestamp(3) without time zone,
    "deleted" timestamp(3) without time zone,
    "lastchange" timestamp(3) without time zone,
    "created_ts" integer,
    "deleted_ts" integer,
    "lastchange_ts" integer,
    "gsys_domain" integer,
    "gsys_sys_id" integer,
    "gsys_ext_vch1" character varying(255),
    "gsys_ext_vch2" character varying(255),
    "gsys_ext_int1" integer,
    "gsys_ext_int2" integer,
    "data_source_key" integer NOT NULL,
    "producer_batch_id" numeric(19,0),
    "create_audit_key" numeric(19,0) NOT NULL,
    "update_audit_key" numeric(19,0) NOT NULL,
    PRIMARY KEY ("id")
);
ALTER TABLE "gidb_gc_group"
    ADD COLUMN IF NOT EXISTS "id" integer,
    ADD COLUMN IF NOT EXISTS "name" character varying(255),
    ADD COLUMN IF NOT EXISTS "tenantid" integer,
    ADD COLUMN IF NOT EXISTS "folderid" integer,
    ADD COLUMN IF NOT EXISTS "type" integer,
    ADD COLUMN IF NOT EXISTS "dngrouptype" integer,
    ADD COLUMN IF NOT EXISTS "state" integer,
    ADD COLUMN IF NOT EXISTS "script" character varying(1024),
    ADD COLUMN IF NOT EXISTS "status" integer,
    ADD COLUMN IF NOT EXISTS "created" timestamp(3) without time zone,
    ADD COLUMN IF NOT EXISTS "deleted" timestamp(3) without time zone,
    ADD COLUMN IF NOT EXISTS "lastchange" timestamp(3) without time zone,
    ADD COLUMN IF NOT EXISTS "created_ts" integer,
    ADD COLUMN IF NOT EXISTS "deleted_ts" integer,
    ADD COLUMN IF NOT EXISTS "lastchange_ts" integer,
    ADD COLUMN IF NOT EXISTS "gsys_domain" integer,
    ADD COLUMN IF NOT EXISTS "gsys_sys_id" integer,
    ADD COLUMN IF NOT EXISTS "gsys_ext_vch1" character varying(255),
    ADD COLUMN IF NOT EXISTS "gsys_ext_vch2" character varying(255),
    ADD COLUMN IF NOT EXISTS "gsys_ext_int1" integer,
    ADD COLUMN IF NOT EXISTS "gsys_ext_int2" integer,
    ADD COLUMN IF NOT EXISTS "data_source_key" integer,
    ADD COLUMN IF NOT EXISTS "producer_batch_id" numeric(19,0),
    ADD COLUMN IF NOT EXISTS "create_audit_key" numeric(19,0),
    ADD COLUMN IF NOT EXISTS "update_audit_key" numeric(19,0);

-- interaction_descriptor
CREATE TABLE IF NOT EXISTS "interaction_descriptor" (
    "interaction_descriptor_key" integer NOT NULL,
    "tenant_key" integer NOT NULL,
    "customer_segment" character varying(170) NOT NULL,
    "service_type" character varying(170) NOT NULL,
    "service_subtype" character varying(170) NOT NULL,
    "business_result" character varying(170) NOT NULL,
    "purge_flag" numeric(1,0),
    "create_audit_key" numeric(19,0) NOT NULL,
    PRIMARY KEY ("interaction_descriptor_key")
);
ALTER TABLE "interaction_descriptor"
    ADD COLUMN IF NOT EXISTS "interaction_descriptor_key" integer,
    ADD COLUMN IF NOT EXISTS "tenant_key" integer,
    ADD COLUMN IF NOT EXISTS "customer_segment" character varying(170),
    ADD COLUMN IF NOT EXISTS "service_type" character varying(170),
    ADD COLUMN IF NOT EXISTS "service_subtype" character varying(170),
    ADD COLUMN IF NOT EXISTS "business_result" character varying(170),
    ADD COLUMN IF NOT EXISTS "purge_flag" numeric(1,0),
    ADD COLUMN IF NOT EXISTS "create_audit_key" numeric(19,0);

-- interaction_fact
CREATE TABLE IF NOT EXISTS "interaction_fact" (
    "interaction_id" numeric(19,0) NOT NULL,
    "tenant_key" integer NOT NULL,
    "interaction_type_key" integer NOT NULL,
    "media_type_key" integer NOT NULL,
    "media_server_root_ixn_id" numeric(20,0),
    "media_server_ixn_id" numeric(20,0),
    "media_server_root_ixn_guid" character varying(50),
    "media_server_ixn_guid" character varying(50),
    "source_address" character varying(255),
    "target_address" character varying(255),
    "subject" character varying(1024),
    "status" smallint NOT NULL,
    "start_ts" integer,
    "end_ts" integer,
    "start_date_time_key" integer NOT NULL,
    "end_date_time_key" integer,
    "anchor_id" numeric(19,0),
    "anchor_sdt_key" integer,
    "active_flag" numeric(1,0),
    "purge_flag" numeric(1,0),
    "producer_batch_id" numeric(19,0),
    "create_audit_key" numeric(19,0) NOT NULL,
    "update_audit_key" numeric(19,0) NOT NULL,
    PRIMARY KEY ("interaction_id", "start_date_time_key")
) PARTITION BY RANGE ("start_date_time_key");
ALTER TABLE "interaction_fact"
    ADD COLUMN IF NOT EXISTS "interaction_id" numeric(19,0),
    ADD COLUMN IF NOT EXISTS "tenant_key" integer,
    ADD COLUMN IF NOT EXISTS "interaction_type_key" integer,
    ADD COLUMN IF NOT EXISTS "media_type_key" integer,
    ADD COLUMN IF NOT EXISTS "media_server_root_ixn_id" numeric(20,0),
    ADD COLUMN IF NOT EXISTS "media_server_ixn_id" numeric(20,0),
    ADD COLUMN IF NOT EXISTS "media_server_root_ixn_guid" character varying(50),
    ADD COLUMN IF NOT EXISTS "media_server_ixn_guid" character varying(50),
    ADD COLUMN IF NOT EXISTS "source_address" character varying(255),
    ADD COLUMN IF NOT EXISTS "target_address" character varying(255),
    ADD COLUMN IF NOT EXISTS "subject" character varying(1024),
    ADD COLUMN IF NOT EXISTS "status" smallint,
    ADD COLUMN IF NOT EXISTS "start_ts" integer,
    ADD COLUMN IF NOT EXISTS "end_ts" integer,
    ADD COLUMN IF NOT EXISTS "start_date_time_key" integer,
    ADD COLUMN IF NOT EXISTS "end_date_time_key" integer,
    ADD COLUMN IF NOT EXISTS "anchor_id" numeric(19,0),
    ADD COLUMN IF NOT EXISTS "anchor_sdt_key" integer,
    ADD COLUMN IF NOT EXISTS "active_flag" numeric(1,0),
    ADD COLUMN IF NOT EXISTS "purge_flag" numeric(1,0),
    ADD COLUMN IF NOT EXISTS "producer_batch_id" numeric(19,0),
    ADD COLUMN IF NOT EXISTS "create_audit_key" numeric(19,0),
    ADD COLUMN IF NOT EXISTS "update_audit_key" numeric(19,0);

-- interaction_resource_fact
CREATE TABLE IF NOT EXISTS "interaction_resource_fact" (
    "interaction_resource_id" numeric(19,0) NOT NULL,
    "tenant_key" integer NOT NULL,
    "interaction_id" numeric(19,0) NOT NULL,
    "interaction_sdt_key" integer,
    "interaction_type_key" integer NOT NULL,
    "media_type_key" integer NOT NULL,
    "resource_key" integer NOT NULL,
    "media_resource_key" integer,
    "resource_group_combination_key" integer,
    "technical_descriptor_key" integer,
    "anchor_flags_key" integer,
    "routing_target_key" integer,
    "requested_skill_key" integer,
    "last_vqueue_resource_key" integer,
    "mediation_resource_key" integer,
    "mediation_segment_id" numeric(19,0),
    "mediation_segment_sdt_key" integer,
    "mediation_start_date_time_key" integer,
    "res_previous_sm_state_key" integer,
    "partyguid" character varying(50),
    "target_address" character varying(255),
    "start_date_time_key" integer NOT NULL,
    "end_date_time_key" integer,
    "start_ts" integer,
    "end_ts" integer,
    "irf_anchor" numeric(1,0),
    "last_interaction_resource" numeric(1,0),
    "stop_action" numeric(1,0),
    "met_service_objective_flag" numeric(1,0),
    "ring_count" integer,
    "ring_duration" integer,
    "talk_count" integer,
    "talk_duration" integer,
    "hold_count" integer,
    "hold_duration" integer,
    "after_call_work_count" integer,
    "after_call_work_duration" integer,
    "handle_count" integer,
    "customer_ring_count" integer,
    "customer_ring_duration" integer,
    "customer_dial_count" integer,
    "customer_dial_duration" integer,
    "customer_talk_count" integer,
    "customer_talk_duration" integer,
    "customer_hold_duration" integer,
    "customer_acw_duration" integer,
    "customer_handle_count" integer,
    "conference_initiated_count" integer,
    "conf_join_talk_count" integer,
    "conf_join_talk_duration" integer,
    "cons_init_talk_count" integer,
    "cons_init_talk_duration" integer,
    "cons_rcv_talk_count" integer,
    "cons_rcv_talk_duration" integer,
    "post_cons_xfer_talk_count" integer,
    "post_cons_xfer_talk_duration" integer,
    "agent_to_agent_cons_duration" integer,
    "active_flag" numeric(1,0),
    "purge_flag" numeric(1,0),
    "producer_batch_id" numeric(19,0),
    "create_audit_key" numeric(19,0) NOT NULL,
    "update_audit_key" numeric(19,0) NOT NULL,
    PRIMARY KEY ("interaction_resource_id", "start_date_time_key")
) PARTITION BY RANGE ("start_date_time_key");
ALTER TABLE "interaction_resource_fact"
    ADD COLUMN IF NOT EXISTS "interaction_resource_id" numeric(19,0),
    ADD COLUMN IF NOT EXISTS "tenant_key" integer,
    ADD COLUMN IF NOT EXISTS "interaction_id" numeric(19,0),
    ADD COLUMN IF NOT EXISTS "interaction_sdt_key" integer,
    ADD COLUMN IF NOT EXISTS "interaction_type_key" integer,
    ADD COLUMN IF NOT EXISTS "media_type_key" integer,
    ADD COLUMN IF NOT EXISTS "resource_key" integer,
    ADD COLUMN IF NOT EXISTS "media_resource_key" integer,
    ADD COLUMN IF NOT EXISTS "resource_group_combination_key" integer,
    ADD COLUMN IF NOT EXISTS "technical_descriptor_key" integer,
    ADD COLUMN IF NOT EXISTS "anchor_flags_key" integer,
    ADD COLUMN IF NOT EXISTS "routing_target_key" integer,
    ADD COLUMN IF NOT EXISTS "requested_skill_key" integer,
    ADD COLUMN IF NOT EXISTS "last_vqueue_resource_key" integer,
    ADD COLUMN IF NOT EXISTS "mediation_resource_key" integer,
    ADD COLUMN IF NOT EXISTS "mediation_segment_id" numeric(19,0),
    ADD COLUMN IF NOT EXISTS "mediation_segment_sdt_key" integer,
    ADD COLUMN IF NOT EXISTS "mediation_start_date_time_key" integer,
    ADD COLUMN IF NOT EXISTS "res_previous_sm_state_key" integer,
    ADD COLUMN IF NOT EXISTS "partyguid" character varying(50),
    ADD COLUMN IF NOT EXISTS "target_address" character varying(255),
    ADD COLUMN IF NOT EXISTS "start_date_time_key" integer,
    ADD COLUMN IF NOT EXISTS "end_date_time_key" integer,
    ADD COLUMN IF NOT EXISTS "start_ts" integer,
    ADD COLUMN IF NOT EXISTS "end_ts" integer,
    ADD COLUMN IF NOT EXISTS "irf_anchor" numeric(1,0),
    ADD COLUMN IF NOT EXISTS "last_interaction_resource" numeric(1,0),
    ADD COLUMN IF NOT EXISTS "stop_action" numeric(1,0),
    ADD COLUMN IF NOT EXISTS "met_service_objective_flag" numeric(1,0),
    ADD COLUMN IF NOT EXISTS "ring_count" integer,
    ADD COLUMN IF NOT EXISTS "ring_duration" integer,
    ADD COLUMN IF NOT EXISTS "talk_count" integer,
    ADD COLUMN IF NOT EXISTS "talk_duration" integer,
    ADD COLUMN IF NOT EXISTS "hold_count" integer,
    ADD COLUMN IF NOT EXISTS "hold_duration" integer,
    ADD COLUMN IF NOT EXISTS "after_call_work_count" integer,
    ADD COLUMN IF NOT EXISTS "after_call_work_duration" integer,
    ADD COLUMN IF NOT EXISTS "handle_count" integer,
    ADD COLUMN IF NOT EXISTS "customer_ring_count" integer,
    ADD COLUMN IF NOT EXISTS "customer_ring_duration" integer,
    ADD COLUMN IF NOT EXISTS "customer_dial_count" integer,
    ADD COLUMN IF NOT EXISTS "customer_dial_duration" integer,
    ADD COLUMN IF NOT EXISTS "customer_talk_count" integer,
    ADD COLUMN IF NOT EXISTS "customer_talk_duration" integer,
    ADD COLUMN IF NOT EXISTS "customer_hold_duration" integer,
    ADD COLUMN IF NOT EXISTS "customer_acw_duration" integer,
    ADD COLUMN IF NOT EXISTS "customer_handle_count" integer,
    ADD COLUMN IF NOT EXISTS "conference_initiated_count" integer,
    ADD COLUMN IF NOT EXISTS "conf_join_talk_count" integer,
    ADD COLUMN IF NOT EXISTS "conf_join_talk_duration" integer,
    ADD COLUMN IF NOT EXISTS "cons_init_talk_count" integer,
    ADD COLUMN IF NOT EXISTS "cons_init_talk_duration" integer,
    ADD COLUMN IF NOT EXISTS "cons_rcv_talk_count" integer,
    ADD COLUMN IF NOT EXISTS "cons_rcv_talk_duration" integer,
    ADD COLUMN IF NOT EXISTS "post_cons_xfer_talk_count" integer,
    ADD COLUMN IF NOT EXISTS "post_cons_xfer_talk_duration" integer,
    ADD COLUMN IF NOT EXISTS "agent_to_agent_cons_duration" integer,
    ADD COLUMN IF NOT EXISTS "active_flag" numeric(1,0),
    ADD COLUMN IF NOT EXISTS "purge_flag" numeric(1,0),
    ADD COLUMN IF NOT EXISTS "producer_batch_id" numeric(19,0),
    ADD COLUMN IF NOT EXISTS "create_audit_key" numeric(19,0),
    ADD COLUMN IF NOT EXISTS "update_audit_key" numeric(19,0);

-- interaction_type
CREATE TABLE IF NOT EXISTS "interaction_type" (
    "interaction_type_key" integer NOT NULL,
    "interaction_type" character varying(64),
    "interaction_type_code" character varying(32),
    "interaction_subtype" character varying(64),
    "interaction_subtype_code" character varying(32),
    "ignore" numeric(1,0),
    "create_audit_key" numeric(19,0) NOT NULL,
    "update_audit_key" numeric(19,0) NOT NULL,
    PRIMARY KEY ("interaction_type_key")
);
ALTER TABLE "interaction_type"
    ADD COLUMN IF NOT EXISTS "interaction_type_key" integer,
    ADD COLUMN IF NOT EXISTS "interaction_type" character varying(64),
    ADD COLUMN IF NOT EXISTS "interaction_type_code" character varying(32),
    ADD COLUMN IF NOT EXISTS "interaction_subtype" character varying(64),
    ADD COLUMN IF NOT EXISTS "interaction_subtype_code" character varying(32),
    ADD COLUMN IF NOT EXISTS "ignore" numeric(1,0),
    ADD COLUMN IF NOT EXISTS "create_audit_key" numeric(19,0),
    ADD COLUMN IF NOT EXISTS "update_audit_key" numeric(19,0);

-- irf_user_data_cust_1
CREATE TABLE IF NOT EXISTS "irf_user_data_cust_1" (
    "interaction_resource_id" numeric(19,0) NOT NULL,
    "start_date_time_key" integer NOT NULL,
    "tenant_key" integer NOT NULL,
    "create_audit_key" numeric(19,0) NOT NULL,
    "update_audit_key" numeric(19,0) NOT NULL,
    "custom_data_1" character varying(1024),
    "custom_data_2" character varying(1024),
    "custom_data_3" character varying(1024),
    "custom_data_4" character varying(1024),
    "custom_data_5" character varying(1024),
    "custom_data_6" character varying(1024),
    "custom_data_7" character varying(1024),
    "custom_data_8" character varying(1024),
    "custom_data_9" character varying(1024),
    "custom_data_10" character varying(1024),
    "custom_data_11" character varying(1024),
    "custom_data_12" character varying(1024),
    "custom_data_13" character varying(1024),
    "custom_data_14" character varying(1024),
    "custom_data_15" character varying(1024),
    "custom_data_16" character varying(1024),
    "producer_batch_id" numeric(19,0),
    PRIMARY KEY ("interaction_resource_id", "start_date_time_key")
) PARTITION BY RANGE ("start_date_time_key");
ALTER TABLE "irf_user_data_cust_1"
    ADD COLUMN IF NOT EXISTS "interaction_resource_id" numeric(19,0),
    ADD COLUMN IF NOT EXISTS "start_date_time_key" integer,
    ADD COLUMN IF NOT EXISTS "tenant_key" integer,
    ADD COLUMN IF NOT EXISTS "create_audit_key" numeric(19,0),
    ADD COLUMN IF NOT EXISTS "update_audit_key" numeric(19,0),
    ADD COLUMN IF NOT EXISTS "custom_data_1" character varying(1024),
    ADD COLUMN IF NOT EXISTS "custom_data_2" character varying(1024),
    ADD COLUMN IF NOT EXISTS "custom_data_3" character varying(1024),
    ADD COLUMN IF NOT EXISTS "custom_data_4" character varying(1024),
    ADD COLUMN IF NOT EXISTS "custom_data_5" character varying(1024),
    ADD COLUMN IF NOT EXISTS "custom_data_6" character varying(1024),
    ADD COLUMN IF NOT EXISTS "custom_data_7" character varying(1024),
    ADD COLUMN IF NOT EXISTS "custom_data_8" character varying(1024),
    ADD COLUMN IF NOT EXISTS "custom_data_9" character varying(1024),
    ADD COLUMN IF NOT EXISTS "custom_data_10" character varying(1024),
    ADD COLUMN IF NOT EXISTS "custom_data_11" character varying(1024),
    ADD COLUMN IF NOT EXISTS "custom_data_12" character varying(1024),
    ADD COLUMN IF NOT EXISTS "custom_data_13" character varying(1024),
    ADD COLUMN IF NOT EXISTS "custom_data_14" character varying(1024),
    ADD COLUMN IF NOT EXISTS "custom_data_15" character varying(1024),
    ADD COLUMN IF NOT EXISTS "custom_data_16" character varying(1024),
    ADD COLUMN IF NOT EXISTS "producer_batch_id" numeric(19,0);

-- irf_user_data_gen_1
CREATE TABLE IF NOT EXISTS "irf_user_data_gen_1" (
    "interaction_resource_id" numeric(19,0) NOT NULL,
    "start_date_time_key" integer NOT NULL,
    "tenant_key" integer NOT NULL,
    "create_audit_key" numeric(19,0) NOT NULL,
    "update_audit_key" numeric(19,0) NOT NULL,
    "case_id" character varying(255),
    "customer_id" character varying(255),
    "gsw_call_attempt_guid" character varying(64),
    "gsw_call_type" character varying(255),
    "gvp_session_id" character varying(255),
    "revenue" numeric(14,2),
    "satisfaction" double precision,
    "producer_batch_id" numeric(19,0),
    PRIMARY KEY ("interaction_resource_id", "start_date_time_key")
) PARTITION BY RANGE ("start_date_time_key");
ALTER TABLE "irf_user_data_gen_1"
    ADD COLUMN IF NOT EXISTS "interaction_resource_id" numeric(19,0),
    ADD COLUMN IF NOT EXISTS "start_date_time_key" integer,
    ADD COLUMN IF NOT EXISTS "tenant_key" integer,
    ADD COLUMN IF NOT EXISTS "create_audit_key" numeric(19,0),
    ADD COLUMN IF NOT EXISTS "update_audit_key" numeric(19,0),
    ADD COLUMN IF NOT EXISTS "case_id" character varying(255),
    ADD COLUMN IF NOT EXISTS "customer_id" character varying(255),
    ADD COLUMN IF NOT EXISTS "gsw_call_attempt_guid" character varying(64),
    ADD COLUMN IF NOT EXISTS "gsw_call_type" character varying(255),
    ADD COLUMN IF NOT EXISTS "gvp_session_id" character varying(255),
    ADD COLUMN IF NOT EXISTS "revenue" numeric(14,2),
    ADD COLUMN IF NOT EXISTS "satisfaction" double precision,
    ADD COLUMN IF NOT EXISTS "producer_batch_id" numeric(19,0);

-- irf_user_data_keys
CREATE TABLE IF NOT EXISTS "irf_user_data_keys" (
    "interaction_resource_id" numeric(19,0) NOT NULL,
    "start_date_time_key" integer NOT NULL,
    "tenant_key" integer NOT NULL,
    "create_audit_key" numeric(19,0) NOT NULL,
    "update_audit_key" numeric(19,0) NOT NULL,
    "interaction_descriptor_key" integer,
    "user_data_gen_dim_key_1" integer,
    "user_data_gen_dim_key_2" integer,
    "custom_key_1" integer,
    "custom_key_2" integer,
    "producer_batch_id" numeric(19,0),
    PRIMARY KEY ("interaction_resource_id", "start_date_time_key")
) PARTITION BY RANGE ("start_date_time_key");
ALTER TABLE "irf_user_data_keys"
    ADD COLUMN IF NOT EXISTS "interaction_resource_id" numeric(19,0),
    ADD COLUMN IF NOT EXISTS "start_date_time_key" integer,
    ADD COLUMN IF NOT EXISTS "tenant_key" integer,
    ADD COLUMN IF NOT EXISTS "create_audit_key" numeric(19,0),
    ADD COLUMN IF NOT EXISTS "update_audit_key" numeric(19,0),
    ADD COLUMN IF NOT EXISTS "interaction_descriptor_key" integer,
    ADD COLUMN IF NOT EXISTS "user_data_gen_dim_key_1" integer,
    ADD COLUMN IF NOT EXISTS "user_data_gen_dim_key_2" integer,
    ADD COLUMN IF NOT EXISTS "custom_key_1" integer,
    ADD COLUMN IF NOT EXISTS "custom_key_2" integer,
    ADD COLUMN IF NOT EXISTS "producer_batch_id" numeric(19,0);

-- media_type
CREATE TABLE IF NOT EXISTS "media_type" (
    "media_type_key" integer NOT NULL,
    "media_name" character varying(255),
    "media_name_code" character varying(32),
    "is_online" numeric(1,0),
    "create_audit_key" numeric(19,0) NOT NULL,
    "update_audit_key" numeric(19,0) NOT NULL,
    PRIMARY KEY ("media_type_key")
);
ALTER TABLE "media_type"
    ADD COLUMN IF NOT EXISTS "media_type_key" integer,
    ADD COLUMN IF NOT EXISTS "media_name" character varying(255),
    ADD COLUMN IF NOT EXISTS "media_name_code" character varying(32),
    ADD COLUMN IF NOT EXISTS "is_online" numeric(1,0),
    ADD COLUMN IF NOT EXISTS "create_audit_key" numeric(19,0),
    ADD COLUMN IF NOT EXISTS "update_audit_key" numeric(19,0);

-- mediation_segment_fact
CREATE TABLE IF NOT EXISTS "mediation_segment_fact" (
    "mediation_segment_id" numeric(19,0) NOT NULL,
    "tenant_key" integer NOT NULL,
    "interaction_id" numeric(19,0) NOT NULL,
    "interaction_type_key" integer NOT NULL,
    "media_type_key" integer NOT NULL,
    "resource_key" integer NOT NULL,
    "resource_group_combination_key" integer,
    "technical_descriptor_key" integer,
    "ixn_resource_id" numeric(19,0),
    "target_ixn_resource_id" numeric(19,0),
    "target_ixn_resource_sdt_key" integer,
    "media_server_ixn_guid" character varying(50),
    "orssessionid" character varying(64),
    "start_date_time_key" integer NOT NULL,
    "end_date_time_key" integer,
    "start_ts" integer,
    "end_ts" integer,
    "mediation_duration" integer,
    "userdata_flag" numeric(1,0),
    "active_flag" numeric(1,0),
    "purge_flag" numeric(1,0),
    "producer_batch_id" numeric(19,0),
    "create_audit_key" numeric(19,0) NOT NULL,
    "update_audit_key" numeric(19,0) NOT NULL,
    PRIMARY KEY ("mediation_segment_id", "start_date_time_key")
) PARTITION BY RANGE ("start_date_time_key");
ALTER TABLE "mediation_segment_fact"
    ADD COLUMN IF NOT EXISTS "mediation_segment_id" numeric(19,0),
    ADD COLUMN IF NOT EXISTS "tenant_key" integer,
    ADD COLUMN IF NOT EXISTS "interaction_id" numeric(19,0),
    ADD COLUMN IF NOT EXISTS "interaction_type_key" integer,
    ADD COLUMN IF NOT EXISTS "media_type_key" integer,
    ADD COLUMN IF NOT EXISTS "resource_key" integer,
    ADD COLUMN IF NOT EXISTS "resource_group_combination_key" integer,
    ADD COLUMN IF NOT EXISTS "technical_descriptor_key" integer,
    ADD COLUMN IF NOT EXISTS "ixn_resource_id" numeric(19,0),
    ADD COLUMN IF NOT EXISTS "target_ixn_resource_id" numeric(19,0),
    ADD COLUMN IF NOT EXISTS "target_ixn_resource_sdt_key" integer,
    ADD COLUMN IF NOT EXISTS "media_server_ixn_guid" character varying(50),
    ADD COLUMN IF NOT EXISTS "orssessionid" character varying(64),
    ADD COLUMN IF NOT EXISTS "start_date_time_key" integer,
    ADD COLUMN IF NOT EXISTS "end_date_time_key" integer,
    ADD COLUMN IF NOT EXISTS "start_ts" integer,
    ADD COLUMN IF NOT EXISTS "end_ts" integer,
    ADD COLUMN IF NOT EXISTS "mediation_duration" integer,
    ADD COLUMN IF NOT EXISTS "userdata_flag" numeric(1,0),
    ADD COLUMN IF NOT EXISTS "active_flag" numeric(1,0),
    ADD COLUMN IF NOT EXISTS "purge_flag" numeric(1,0),
    ADD COLUMN IF NOT EXISTS "producer_batch_id" numeric(19,0),
    ADD COLUMN IF NOT EXISTS "create_audit_key" numeric(19,0),
    ADD COLUMN IF NOT EXISTS "update_audit_key" numeric(19,0);

-- resource_
CREATE TABLE IF NOT EXISTS "resource_" (
    "resource_key" integer NOT NULL,
    "tenant_key" integer NOT NULL,
    "resource_type" character varying(255),
    "resource_type_code" character varying(32),
    "resource_subtype" character varying(255),
    "resource_name" character varying(255),
    "agent_first_name" character varying(64),
    "agent_last_name" character varying(64),
    "agent_name" character varying(255),
    "employee_id" character varying(255),
    "external_resource_id" character varying(255),
    "resource_cfg_dbid" integer,
    "resource_cfg_type_id" integer,
    "start_ts" integer,
    "end_ts" integer,
    "purge_flag" numeric(1,0),
    "create_audit_key" numeric(19,0) NOT NULL,
    "update_audit_key" numeric(19,0) NOT NULL,
    PRIMARY KEY ("resource_key")
);
ALTER TABLE "resource_"
    ADD COLUMN IF NOT EXISTS "resource_key" integer,
    ADD COLUMN IF NOT EXISTS "tenant_key" integer,
    ADD COLUMN IF NOT EXISTS "resource_type" character varying(255),
    ADD COLUMN IF NOT EXISTS "resource_type_code" character varying(32),
    ADD COLUMN IF NOT EXISTS "resource_subtype" character varying(255),
    ADD COLUMN IF NOT EXISTS "resource_name" character varying(255),
    ADD COLUMN IF NOT EXISTS "agent_first_name" character varying(64),
    ADD COLUMN IF NOT EXISTS "agent_last_name" character varying(64),
    ADD COLUMN IF NOT EXISTS "agent_name" character varying(255),
    ADD COLUMN IF NOT EXISTS "employee_id" character varying(255),
    ADD COLUMN IF NOT EXISTS "external_resource_id" character varying(255),
    ADD COLUMN IF NOT EXISTS "resource_cfg_dbid" integer,
    ADD COLUMN IF NOT EXISTS "resource_cfg_type_id" integer,
    ADD COLUMN IF NOT EXISTS "start_ts" integer,
    ADD COLUMN IF NOT EXISTS "end_ts" integer,
    ADD COLUMN IF NOT EXISTS "purge_flag" numeric(1,0),
    ADD COLUMN IF NOT EXISTS "create_audit_key" numeric(19,0),
    ADD COLUMN IF NOT EXISTS "update_audit_key" numeric(19,0);

-- resource_group_fact_
CREATE TABLE IF NOT EXISTS "resource_group_fact_" (
    "resource_group_fact_key" numeric(19,0) NOT NULL,
    "start_date_time_key" integer NOT NULL,
    "end_date_time_key" integer,
    "tenant_key" integer NOT NULL,
    "resource_key" integer NOT NULL,
    "group_key" integer NOT NULL,
    "start_ts" integer,
    "end_ts" integer,
    "active_flag" numeric(1,0),
    "purge_flag" numeric(1,0),
    "create_audit_key" numeric(19,0) NOT NULL,
    "update_audit_key" numeric(19,0) NOT NULL,
    PRIMARY KEY ("resource_group_fact_key", "start_date_time_key")
) PARTITION BY RANGE ("start_date_time_key");
ALTER TABLE "resource_group_fact_"
    ADD COLUMN IF NOT EXISTS "resource_group_fact_key" numeric(19,0),
    ADD COLUMN IF NOT EXISTS "start_date_time_key" integer,
    ADD COLUMN IF NOT EXISTS "end_date_time_key" integer,
    ADD COLUMN IF NOT EXISTS "tenant_key" integer,
    ADD COLUMN IF NOT EXISTS "resource_key" integer,
    ADD COLUMN IF NOT EXISTS "group_key" integer,
    ADD COLUMN IF NOT EXISTS "start_ts" integer,
    ADD COLUMN IF NOT EXISTS "end_ts" integer,
    ADD COLUMN IF NOT EXISTS "active_flag" numeric(1,0),
    ADD COLUMN IF NOT EXISTS "purge_flag" numeric(1,0),
    ADD COLUMN IF NOT EXISTS "create_audit_key" numeric(19,0),
    ADD COLUMN IF NOT EXISTS "update_audit_key" numeric(19,0);

-- resource_state
CREATE TABLE IF NOT EXISTS "resource_state" (
    "resource_state_key" integer NOT NULL,
    "state_type" character varying(64),
    "state_type_code" character varying(32),
    "state_name" character varying(64),
    "state_name_code" character varying(32),
    "create_audit_key" numeric(19,0) NOT NULL,
    "update_audit_key" numeric(19,0) NOT NULL,
    PRIMARY KEY ("resource_state_key")
);
ALTER TABLE "resource_state"
    ADD COLUMN IF NOT EXISTS "resource_state_key" integer,
    ADD COLUMN IF NOT EXISTS "state_type" character varying(64),
    ADD COLUMN IF NOT EXISTS "state_type_code" character varying(32),
    ADD COLUMN IF NOT EXISTS "state_name" character varying(64),
    ADD COLUMN IF NOT EXISTS "state_name_code" character varying(32),
    ADD COLUMN IF NOT EXISTS "create_audit_key" numeric(19,0),
    ADD COLUMN IF NOT EXISTS "update_audit_key" numeric(19,0);

-- sm_res_session_fact
CREATE TABLE IF NOT EXISTS "sm_res_session_fact" (
    "sm_res_session_fact_key" numeric(19,0) NOT NULL,
    "tenant_key" integer NOT NULL,
    "media_type_key" integer NOT NULL,
    "resource_key" integer NOT NULL,
    "resource_group_combination_key" integer,
    "agent_location_key" integer,
    "start_date_time_key" integer NOT NULL,
    "end_date_time_key" integer,
    "start_ts" integer,
    "end_ts" integer,
    "total_duration" integer,
    "active_flag" numeric(1,0),
    "purge_flag" numeric(1,0),
    "producer_batch_id" numeric(19,0),
    "create_audit_key" numeric(19,0) NOT NULL,
    "update_audit_key" numeric(19,0) NOT NULL,
    PRIMARY KEY ("sm_res_session_fact_key", "start_date_time_key")
) PARTITION BY RANGE ("start_date_time_key");
ALTER TABLE "sm_res_session_fact"
    ADD COLUMN IF NOT EXISTS "sm_res_session_fact_key" numeric(19,0),
    ADD COLUMN IF NOT EXISTS "tenant_key" integer,
    ADD COLUMN IF NOT EXISTS "media_type_key" integer,
    ADD COLUMN IF NOT EXISTS "resource_key" integer,
    ADD COLUMN IF NOT EXISTS "resource_group_combination_key" integer,
    ADD COLUMN IF NOT EXISTS "agent_location_key" integer,
    ADD COLUMN IF NOT EXISTS "start_date_time_key" integer,
    ADD COLUMN IF NOT EXISTS "end_date_time_key" integer,
    ADD COLUMN IF NOT EXISTS "start_ts" integer,
    ADD COLUMN IF NOT EXISTS "end_ts" integer,
    ADD COLUMN IF NOT EXISTS "total_duration" integer,
    ADD COLUMN IF NOT EXISTS "active_flag" numeric(1,0),
    ADD COLUMN IF NOT EXISTS "purge_flag" numeric(1,0),
    ADD COLUMN IF NOT EXISTS "producer_batch_id" numeric(19,0),
    ADD COLUMN IF NOT EXISTS "create_audit_key" numeric(19,0),
    ADD COLUMN IF NOT EXISTS "update_audit_key" numeric(19,0);

-- sm_res_state_fact
CREATE TABLE IF NOT EXISTS "sm_res_state_fact" (
    "sm_res_state_fact_key" numeric(19,0) NOT NULL,
    "sm_res_session_fact_key" numeric(19,0),
    "tenant_key" integer NOT NULL,
    "media_type_key" integer NOT NULL,
    "resource_key" integer NOT NULL,
    "resource_state_key" integer NOT NULL,
    "resource_group_combination_key" integer,
    "start_date_time_key" integer NOT NULL,
    "end_date_time_key" integer,
    "start_ts" integer,
    "end_ts" integer,
    "total_duration" integer,
    "active_flag" numeric(1,0),
    "purge_flag" numeric(1,0),
    "producer_batch_id" numeric(19,0),
    "create_audit_key" numeric(19,0) NOT NULL,
    "update_audit_key" numeric(19,0) NOT NULL,
    PRIMARY KEY ("sm_res_state_fact_key", "start_date_time_key")
) PARTITION BY RANGE ("start_date_time_key");
ALTER TABLE "sm_res_state_fact"
    ADD COLUMN IF NOT EXISTS "sm_res_state_fact_key" numeric(19,0),
    ADD COLUMN IF NOT EXISTS "sm_res_session_fact_key" numeric(19,0),
    ADD COLUMN IF NOT EXISTS "tenant_key" integer,
    ADD COLUMN IF NOT EXISTS "media_type_key" integer,
    ADD COLUMN IF NOT EXISTS "resource_key" integer,
    ADD COLUMN IF NOT EXISTS "resource_state_key" integer,
    ADD COLUMN IF NOT EXISTS "resource_group_combination_key" integer,
    ADD COLUMN IF NOT EXISTS "start_date_time_key" integer,
    ADD COLUMN IF NOT EXISTS "end_date_time_key" integer,
    ADD COLUMN IF NOT EXISTS "start_ts" integer,
    ADD COLUMN IF NOT EXISTS "end_ts" integer,
    ADD COLUMN IF NOT EXISTS "total_duration" integer,
    ADD COLUMN IF NOT EXISTS "active_flag" numeric(1,0),
    ADD COLUMN IF NOT EXISTS "purge_flag" numeric(1,0),
    ADD COLUMN IF NOT EXISTS "producer_batch_id" numeric(19,0),
    ADD COLUMN IF NOT EXISTS "create_audit_key" numeric(19,0),
    ADD COLUMN IF NOT EXISTS "update_audit_key" numeric(19,0);

-- technical_descriptor
CREATE TABLE IF NOT EXISTS "technical_descriptor" (
    "technical_descriptor_key" integer NOT NULL,
    "technical_result" character varying(255),
    "technical_result_code" character varying(32),
    "result_reason" character varying(255),
    "result_reason_code" character varying(32),
    "resource_role" character varying(255),
    "resource_role_code" character varying(32),
    "role_reason" character varying(255),
    "role_reason_code" character varying(32),
    "create_audit_key" numeric(19,0) NOT NULL,
    "update_audit_key" numeric(19,0) NOT NULL,
    PRIMARY KEY ("technical_descriptor_key")
);
ALTER TABLE "technical_descriptor"
    ADD COLUMN IF NOT EXISTS "technical_descriptor_key" integer,
    ADD COLUMN IF NOT EXISTS "technical_result" character varying(255),
    ADD COLUMN IF NOT EXISTS "technical_result_code" character varying(32),
    ADD COLUMN IF NOT EXISTS "result_reason" character varying(255),
    ADD COLUMN IF NOT EXISTS "result_reason_code" character varying(32),
    ADD COLUMN IF NOT EXISTS "resource_role" character varying(255),
    ADD COLUMN IF NOT EXISTS "resource_role_code" character varying(32),
    ADD COLUMN IF NOT EXISTS "role_reason" character varying(255),
    ADD COLUMN IF NOT EXISTS "role_reason_code" character varying(32),
    ADD COLUMN IF NOT EXISTS "create_audit_key" numeric(19,0),
    ADD COLUMN IF NOT EXISTS "update_audit_key" numeric(19,0);

-- user_data_cust_dim_1
CREATE TABLE IF NOT EXISTS "user_data_cust_dim_1" (
    "id" integer NOT NULL,
    "tenant_key" integer NOT NULL,
    "dim_attribute_1" character varying(255),
    "dim_attribute_2" character varying(255),
    "dim_attribute_3" character varying(255),
    "dim_attribute_4" character varying(255),
    "dim_attribute_5" character varying(255),
    "create_audit_key" numeric(19,0) NOT NULL,
    PRIMARY KEY ("id")
);
ALTER TABLE "user_data_cust_dim_1"
    ADD COLUMN IF NOT EXISTS "id" integer,
    ADD COLUMN IF NOT EXISTS "tenant_key" integer,
    ADD COLUMN IF NOT EXISTS "dim_attribute_1" character varying(255),
    ADD COLUMN IF NOT EXISTS "dim_attribute_2" character varying(255),
    ADD COLUMN IF NOT EXISTS "dim_attribute_3" character varying(255),
    ADD COLUMN IF NOT EXISTS "dim_attribute_4" character varying(255),
    ADD COLUMN IF NOT EXISTS "dim_attribute_5" character varying(255),
    ADD COLUMN IF NOT EXISTS "create_audit_key" numeric(19,0);

-- The DEFAULT partition of each partitioned table, where it has none.
DO $gim$
DECLARE
    parent text;
BEGIN
    FOREACH parent IN ARRAY ARRAY[
        'interaction_fact',
        'interaction_resource_fact',
        'irf_user_data_cust_1',
        'irf_user_data_gen_1',
        'irf_user_data_keys',
        'mediation_segment_fact',
        'resource_group_fact_',
        'sm_res_session_fact',
        'sm_res_state_fact'
    ] LOOP
        IF EXISTS (
            SELECT 1 FROM pg_partitioned_table
            WHERE partrelid = to_regclass(format('%I.%I', current_schema(), parent))
              AND partdefid = 0
        ) THEN
            EXECUTE format(
                'CREATE TABLE %I.%I PARTITION OF %I.%I DEFAULT',
                current_schema(),
                left(parent, 54)
                    || '_pdefault',
                current_schema(),
                parent
            );
        END IF;
    END LOOP;
END
$gim$;

-- Widen the columns that are narrower than the source's; let a column
-- take NULL where the source does. Nothing is narrowed or dropped.
DO $gim$
DECLARE
    change record;
BEGIN
    FOR change IN
        WITH w (table_name, column_name, type_sql, data_type, length,
                precision_, scale, time_precision, nullable) AS (
            VALUES
                ('date_time', 'date_time_key', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, false),
                ('date_time', 'cal_date', 'timestamp(3) without time zone', 'timestamp without time zone', NULL::integer, NULL::integer, NULL::integer, 3, false),
                ('date_time', 'cal_year_num', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, false),
                ('date_time', 'cal_month_num', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, false),
                ('date_time', 'cal_day_num_in_month', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, false),
                ('date_time', 'cal_day_num_in_week', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, false),
                ('date_time', 'cal_day_name', 'character varying(16)', 'character varying', 16, NULL::integer, NULL::integer, NULL::integer, false),
                ('date_time', 'cal_hour_24_num', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, false),
                ('date_time', 'cal_minute_num', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, false),
                ('date_time', 'label_yyyy', 'character varying(4)', 'character varying', 4, NULL::integer, NULL::integer, NULL::integer, false),
                ('date_time', 'label_yyyy_mm', 'character varying(7)', 'character varying', 7, NULL::integer, NULL::integer, NULL::integer, false),
                ('date_time', 'label_yyyy_mm_dd', 'character varying(10)', 'character varying', 10, NULL::integer, NULL::integer, NULL::integer, false),
                ('date_time', 'label_yyyy_mm_dd_hh24', 'character varying(13)', 'character varying', 13, NULL::integer, NULL::integer, NULL::integer, false),
                ('date_time', 'label_yyyy_mm_dd_hh24_mi', 'character varying(16)', 'character varying', 16, NULL::integer, NULL::integer, NULL::integer, false),
                ('date_time', 'label_yyyy_mm_dd_hh24_15int', 'character varying(24)', 'character varying', 24, NULL::integer, NULL::integer, NULL::integer, false),
                ('date_time', 'label_hh24', 'character varying(2)', 'character varying', 2, NULL::integer, NULL::integer, NULL::integer, false),
                ('date_time', 'label_tz', 'character varying(32)', 'character varying', 32, NULL::integer, NULL::integer, NULL::integer, false),
                ('date_time', 'start_ts', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, false),
                ('date_time', 'create_audit_key', 'numeric(19,0)', 'numeric', NULL::integer, 19, 0, NULL::integer, false),
                ('date_time', 'update_audit_key', 'numeric(19,0)', 'numeric', NULL::integer, 19, 0, NULL::integer, false),
                ('gidb_gc_annex', 'id', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, false),
                ('gidb_gc_annex', 'cfgobjectid', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('gidb_gc_annex', 'cfgobjecttype', 'smallint', 'smallint', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('gidb_gc_annex', 'sectionname', 'character varying(255)', 'character varying', 255, NULL::integer, NULL::integer, NULL::integer, true),
                ('gidb_gc_annex', 'keyname', 'character varying(255)', 'character varying', 255, NULL::integer, NULL::integer, NULL::integer, true),
                ('gidb_gc_annex', 'tenantid', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('gidb_gc_annex', 'value', 'character varying(255)', 'character varying', 255, NULL::integer, NULL::integer, NULL::integer, true),
                ('gidb_gc_annex', 'status', 'smallint', 'smallint', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('gidb_gc_annex', 'created', 'timestamp(3) without time zone', 'timestamp without time zone', NULL::integer, NULL::integer, NULL::integer, 3, true),
                ('gidb_gc_annex', 'deleted', 'timestamp(3) without time zone', 'timestamp without time zone', NULL::integer, NULL::integer, NULL::integer, 3, true),
                ('gidb_gc_annex', 'lastchange', 'timestamp(3) without time zone', 'timestamp without time zone', NULL::integer, NULL::integer, NULL::integer, 3, true),
                ('gidb_gc_annex', 'created_ts', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('gidb_gc_annex', 'deleted_ts', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('gidb_gc_annex', 'lastchange_ts', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('gidb_gc_annex', 'gsys_domain', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('gidb_gc_annex', 'gsys_sys_id', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('gidb_gc_annex', 'gsys_ext_vch1', 'character varying(255)', 'character varying', 255, NULL::integer, NULL::integer, NULL::integer, true),
                ('gidb_gc_annex', 'gsys_ext_vch2', 'character varying(255)', 'character varying', 255, NULL::integer, NULL::integer, NULL::integer, true),
                ('gidb_gc_annex', 'gsys_ext_int1', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('gidb_gc_annex', 'gsys_ext_int2', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('gidb_gc_annex', 'data_source_key', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, false),
                ('gidb_gc_annex', 'producer_batch_id', 'numeric(19,0)', 'numeric', NULL::integer, 19, 0, NULL::integer, true),
                ('gidb_gc_annex', 'create_audit_key', 'numeric(19,0)', 'numeric', NULL::integer, 19, 0, NULL::integer, false),
                ('gidb_gc_annex', 'update_audit_key', 'numeric(19,0)', 'numeric', NULL::integer, 19, 0, NULL::integer, false),
                ('gidb_gc_group', 'id', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, false),
                ('gidb_gc_group', 'name', 'character varying(255)', 'character varying', 255, NULL::integer, NULL::integer, NULL::integer, false),
                ('gidb_gc_group', 'tenantid', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, false),
                ('gidb_gc_group', 'folderid', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('gidb_gc_group', 'type', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, false),
                ('gidb_gc_group', 'dngrouptype', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('gidb_gc_group', 'state', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, false),
                ('gidb_gc_group', 'script', 'character varying(1024)', 'character varying', 1024, NULL::integer, NULL::integer, NULL::integer, true),
                ('gidb_gc_group', 'status', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, false),
                ('gidb_gc_group', 'created', 'timestamp(3) without time zone', 'timestamp without time zone', NULL::integer, NULL::integer, NULL::integer, 3, true),
                ('gidb_gc_group', 'deleted', 'timestamp(3) without time zone', 'timestamp without time zone', NULL::integer, NULL::integer, NULL::integer, 3, true),
                ('gidb_gc_group', 'lastchange', 'timestamp(3) without time zone', 'timestamp without time zone', NULL::integer, NULL::integer, NULL::integer, 3, true),
                ('gidb_gc_group', 'created_ts', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('gidb_gc_group', 'deleted_ts', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('gidb_gc_group', 'lastchange_ts', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('gidb_gc_group', 'gsys_domain', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('gidb_gc_group', 'gsys_sys_id', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('gidb_gc_group', 'gsys_ext_vch1', 'character varying(255)', 'character varying', 255, NULL::integer, NULL::integer, NULL::integer, true),
                ('gidb_gc_group', 'gsys_ext_vch2', 'character varying(255)', 'character varying', 255, NULL::integer, NULL::integer, NULL::integer, true),
                ('gidb_gc_group', 'gsys_ext_int1', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('gidb_gc_group', 'gsys_ext_int2', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('gidb_gc_group', 'data_source_key', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, false),
                ('gidb_gc_group', 'producer_batch_id', 'numeric(19,0)', 'numeric', NULL::integer, 19, 0, NULL::integer, true),
                ('gidb_gc_group', 'create_audit_key', 'numeric(19,0)', 'numeric', NULL::integer, 19, 0, NULL::integer, false),
                ('gidb_gc_group', 'update_audit_key', 'numeric(19,0)', 'numeric', NULL::integer, 19, 0, NULL::integer, false),
                ('interaction_descriptor', 'interaction_descriptor_key', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, false),
                ('interaction_descriptor', 'tenant_key', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, false),
                ('interaction_descriptor', 'customer_segment', 'character varying(170)', 'character varying', 170, NULL::integer, NULL::integer, NULL::integer, false),
                ('interaction_descriptor', 'service_type', 'character varying(170)', 'character varying', 170, NULL::integer, NULL::integer, NULL::integer, false),
                ('interaction_descriptor', 'service_subtype', 'character varying(170)', 'character varying', 170, NULL::integer, NULL::integer, NULL::integer, false),
                ('interaction_descriptor', 'business_result', 'character varying(170)', 'character varying', 170, NULL::integer, NULL::integer, NULL::integer, false),
                ('interaction_descriptor', 'purge_flag', 'numeric(1,0)', 'numeric', NULL::integer, 1, 0, NULL::integer, true),
                ('interaction_descriptor', 'create_audit_key', 'numeric(19,0)', 'numeric', NULL::integer, 19, 0, NULL::integer, false),
                ('interaction_fact', 'interaction_id', 'numeric(19,0)', 'numeric', NULL::integer, 19, 0, NULL::integer, false),
                ('interaction_fact', 'tenant_key', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, false),
                ('interaction_fact', 'interaction_type_key', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, false),
                ('interaction_fact', 'media_type_key', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, false),
                ('interaction_fact', 'media_server_root_ixn_id', 'numeric(20,0)', 'numeric', NULL::integer, 20, 0, NULL::integer, true),
                ('interaction_fact', 'media_server_ixn_id', 'numeric(20,0)', 'numeric', NULL::integer, 20, 0, NULL::integer, true),
                ('interaction_fact', 'media_server_root_ixn_guid', 'character varying(50)', 'character varying', 50, NULL::integer, NULL::integer, NULL::integer, true),
                ('interaction_fact', 'media_server_ixn_guid', 'character varying(50)', 'character varying', 50, NULL::integer, NULL::integer, NULL::integer, true),
                ('interaction_fact', 'source_address', 'character varying(255)', 'character varying', 255, NULL::integer, NULL::integer, NULL::integer, true),
                ('interaction_fact', 'target_address', 'character varying(255)', 'character varying', 255, NULL::integer, NULL::integer, NULL::integer, true),
                ('interaction_fact', 'subject', 'character varying(1024)', 'character varying', 1024, NULL::integer, NULL::integer, NULL::integer, true),
                ('interaction_fact', 'status', 'smallint', 'smallint', NULL::integer, NULL::integer, NULL::integer, NULL::integer, false),
                ('interaction_fact', 'start_ts', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('interaction_fact', 'end_ts', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('interaction_fact', 'start_date_time_key', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, false),
                ('interaction_fact', 'end_date_time_key', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('interaction_fact', 'anchor_id', 'numeric(19,0)', 'numeric', NULL::integer, 19, 0, NULL::integer, true),
                ('interaction_fact', 'anchor_sdt_key', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('interaction_fact', 'active_flag', 'numeric(1,0)', 'numeric', NULL::integer, 1, 0, NULL::integer, true),
                ('interaction_fact', 'purge_flag', 'numeric(1,0)', 'numeric', NULL::integer, 1, 0, NULL::integer, true),
                ('interaction_fact', 'producer_batch_id', 'numeric(19,0)', 'numeric', NULL::integer, 19, 0, NULL::integer, true),
                ('interaction_fact', 'create_audit_key', 'numeric(19,0)', 'numeric', NULL::integer, 19, 0, NULL::integer, false),
                ('interaction_fact', 'update_audit_key', 'numeric(19,0)', 'numeric', NULL::integer, 19, 0, NULL::integer, false),
                ('interaction_resource_fact', 'interaction_resource_id', 'numeric(19,0)', 'numeric', NULL::integer, 19, 0, NULL::integer, false),
                ('interaction_resource_fact', 'tenant_key', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, false),
                ('interaction_resource_fact', 'interaction_id', 'numeric(19,0)', 'numeric', NULL::integer, 19, 0, NULL::integer, false),
                ('interaction_resource_fact', 'interaction_sdt_key', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('interaction_resource_fact', 'interaction_type_key', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, false),
                ('interaction_resource_fact', 'media_type_key', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, false),
                ('interaction_resource_fact', 'resource_key', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, false),
                ('interaction_resource_fact', 'media_resource_key', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('interaction_resource_fact', 'resource_group_combination_key', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('interaction_resource_fact', 'technical_descriptor_key', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('interaction_resource_fact', 'anchor_flags_key', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('interaction_resource_fact', 'routing_target_key', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('interaction_resource_fact', 'requested_skill_key', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('interaction_resource_fact', 'last_vqueue_resource_key', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('interaction_resource_fact', 'mediation_resource_key', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('interaction_resource_fact', 'mediation_segment_id', 'numeric(19,0)', 'numeric', NULL::integer, 19, 0, NULL::integer, true),
                ('interaction_resource_fact', 'mediation_segment_sdt_key', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('interaction_resource_fact', 'mediation_start_date_time_key', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('interaction_resource_fact', 'res_previous_sm_state_key', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('interaction_resource_fact', 'partyguid', 'character varying(50)', 'character varying', 50, NULL::integer, NULL::integer, NULL::integer, true),
                ('interaction_resource_fact', 'target_address', 'character varying(255)', 'character varying', 255, NULL::integer, NULL::integer, NULL::integer, true),
                ('interaction_resource_fact', 'start_date_time_key', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, false),
                ('interaction_resource_fact', 'end_date_time_key', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('interaction_resource_fact', 'start_ts', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('interaction_resource_fact', 'end_ts', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('interaction_resource_fact', 'irf_anchor', 'numeric(1,0)', 'numeric', NULL::integer, 1, 0, NULL::integer, true),
                ('interaction_resource_fact', 'last_interaction_resource', 'numeric(1,0)', 'numeric', NULL::integer, 1, 0, NULL::integer, true),
                ('interaction_resource_fact', 'stop_action', 'numeric(1,0)', 'numeric', NULL::integer, 1, 0, NULL::integer, true),
                ('interaction_resource_fact', 'met_service_objective_flag', 'numeric(1,0)', 'numeric', NULL::integer, 1, 0, NULL::integer, true),
                ('interaction_resource_fact', 'ring_count', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('interaction_resource_fact', 'ring_duration', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('interaction_resource_fact', 'talk_count', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('interaction_resource_fact', 'talk_duration', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('interaction_resource_fact', 'hold_count', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('interaction_resource_fact', 'hold_duration', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('interaction_resource_fact', 'after_call_work_count', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('interaction_resource_fact', 'after_call_work_duration', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('interaction_resource_fact', 'handle_count', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('interaction_resource_fact', 'customer_ring_count', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('interaction_resource_fact', 'customer_ring_duration', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('interaction_resource_fact', 'customer_dial_count', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('interaction_resource_fact', 'customer_dial_duration', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('interaction_resource_fact', 'customer_talk_count', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('interaction_resource_fact', 'customer_talk_duration', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('interaction_resource_fact', 'customer_hold_duration', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('interaction_resource_fact', 'customer_acw_duration', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('interaction_resource_fact', 'customer_handle_count', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('interaction_resource_fact', 'conference_initiated_count', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('interaction_resource_fact', 'conf_join_talk_count', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('interaction_resource_fact', 'conf_join_talk_duration', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('interaction_resource_fact', 'cons_init_talk_count', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('interaction_resource_fact', 'cons_init_talk_duration', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('interaction_resource_fact', 'cons_rcv_talk_count', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('interaction_resource_fact', 'cons_rcv_talk_duration', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('interaction_resource_fact', 'post_cons_xfer_talk_count', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('interaction_resource_fact', 'post_cons_xfer_talk_duration', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('interaction_resource_fact', 'agent_to_agent_cons_duration', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('interaction_resource_fact', 'active_flag', 'numeric(1,0)', 'numeric', NULL::integer, 1, 0, NULL::integer, true),
                ('interaction_resource_fact', 'purge_flag', 'numeric(1,0)', 'numeric', NULL::integer, 1, 0, NULL::integer, true),
                ('interaction_resource_fact', 'producer_batch_id', 'numeric(19,0)', 'numeric', NULL::integer, 19, 0, NULL::integer, true),
                ('interaction_resource_fact', 'create_audit_key', 'numeric(19,0)', 'numeric', NULL::integer, 19, 0, NULL::integer, false),
                ('interaction_resource_fact', 'update_audit_key', 'numeric(19,0)', 'numeric', NULL::integer, 19, 0, NULL::integer, false),
                ('interaction_type', 'interaction_type_key', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, false),
                ('interaction_type', 'interaction_type', 'character varying(64)', 'character varying', 64, NULL::integer, NULL::integer, NULL::integer, true),
                ('interaction_type', 'interaction_type_code', 'character varying(32)', 'character varying', 32, NULL::integer, NULL::integer, NULL::integer, true),
                ('interaction_type', 'interaction_subtype', 'character varying(64)', 'character varying', 64, NULL::integer, NULL::integer, NULL::integer, true),
                ('interaction_type', 'interaction_subtype_code', 'character varying(32)', 'character varying', 32, NULL::integer, NULL::integer, NULL::integer, true),
                ('interaction_type', 'ignore', 'numeric(1,0)', 'numeric', NULL::integer, 1, 0, NULL::integer, true),
                ('interaction_type', 'create_audit_key', 'numeric(19,0)', 'numeric', NULL::integer, 19, 0, NULL::integer, false),
                ('interaction_type', 'update_audit_key', 'numeric(19,0)', 'numeric', NULL::integer, 19, 0, NULL::integer, false),
                ('irf_user_data_cust_1', 'interaction_resource_id', 'numeric(19,0)', 'numeric', NULL::integer, 19, 0, NULL::integer, false),
                ('irf_user_data_cust_1', 'start_date_time_key', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, false),
                ('irf_user_data_cust_1', 'tenant_key', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, false),
                ('irf_user_data_cust_1', 'create_audit_key', 'numeric(19,0)', 'numeric', NULL::integer, 19, 0, NULL::integer, false),
                ('irf_user_data_cust_1', 'update_audit_key', 'numeric(19,0)', 'numeric', NULL::integer, 19, 0, NULL::integer, false),
                ('irf_user_data_cust_1', 'custom_data_1', 'character varying(1024)', 'character varying', 1024, NULL::integer, NULL::integer, NULL::integer, true),
                ('irf_user_data_cust_1', 'custom_data_2', 'character varying(1024)', 'character varying', 1024, NULL::integer, NULL::integer, NULL::integer, true),
                ('irf_user_data_cust_1', 'custom_data_3', 'character varying(1024)', 'character varying', 1024, NULL::integer, NULL::integer, NULL::integer, true),
                ('irf_user_data_cust_1', 'custom_data_4', 'character varying(1024)', 'character varying', 1024, NULL::integer, NULL::integer, NULL::integer, true),
                ('irf_user_data_cust_1', 'custom_data_5', 'character varying(1024)', 'character varying', 1024, NULL::integer, NULL::integer, NULL::integer, true),
                ('irf_user_data_cust_1', 'custom_data_6', 'character varying(1024)', 'character varying', 1024, NULL::integer, NULL::integer, NULL::integer, true),
                ('irf_user_data_cust_1', 'custom_data_7', 'character varying(1024)', 'character varying', 1024, NULL::integer, NULL::integer, NULL::integer, true),
                ('irf_user_data_cust_1', 'custom_data_8', 'character varying(1024)', 'character varying', 1024, NULL::integer, NULL::integer, NULL::integer, true),
                ('irf_user_data_cust_1', 'custom_data_9', 'character varying(1024)', 'character varying', 1024, NULL::integer, NULL::integer, NULL::integer, true),
                ('irf_user_data_cust_1', 'custom_data_10', 'character varying(1024)', 'character varying', 1024, NULL::integer, NULL::integer, NULL::integer, true),
                ('irf_user_data_cust_1', 'custom_data_11', 'character varying(1024)', 'character varying', 1024, NULL::integer, NULL::integer, NULL::integer, true),
                ('irf_user_data_cust_1', 'custom_data_12', 'character varying(1024)', 'character varying', 1024, NULL::integer, NULL::integer, NULL::integer, true),
                ('irf_user_data_cust_1', 'custom_data_13', 'character varying(1024)', 'character varying', 1024, NULL::integer, NULL::integer, NULL::integer, true),
                ('irf_user_data_cust_1', 'custom_data_14', 'character varying(1024)', 'character varying', 1024, NULL::integer, NULL::integer, NULL::integer, true),
                ('irf_user_data_cust_1', 'custom_data_15', 'character varying(1024)', 'character varying', 1024, NULL::integer, NULL::integer, NULL::integer, true),
                ('irf_user_data_cust_1', 'custom_data_16', 'character varying(1024)', 'character varying', 1024, NULL::integer, NULL::integer, NULL::integer, true),
                ('irf_user_data_cust_1', 'producer_batch_id', 'numeric(19,0)', 'numeric', NULL::integer, 19, 0, NULL::integer, true),
                ('irf_user_data_gen_1', 'interaction_resource_id', 'numeric(19,0)', 'numeric', NULL::integer, 19, 0, NULL::integer, false),
                ('irf_user_data_gen_1', 'start_date_time_key', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, false),
                ('irf_user_data_gen_1', 'tenant_key', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, false),
                ('irf_user_data_gen_1', 'create_audit_key', 'numeric(19,0)', 'numeric', NULL::integer, 19, 0, NULL::integer, false),
                ('irf_user_data_gen_1', 'update_audit_key', 'numeric(19,0)', 'numeric', NULL::integer, 19, 0, NULL::integer, false),
                ('irf_user_data_gen_1', 'case_id', 'character varying(255)', 'character varying', 255, NULL::integer, NULL::integer, NULL::integer, true),
                ('irf_user_data_gen_1', 'customer_id', 'character varying(255)', 'character varying', 255, NULL::integer, NULL::integer, NULL::integer, true),
                ('irf_user_data_gen_1', 'gsw_call_attempt_guid', 'character varying(64)', 'character varying', 64, NULL::integer, NULL::integer, NULL::integer, true),
                ('irf_user_data_gen_1', 'gsw_call_type', 'character varying(255)', 'character varying', 255, NULL::integer, NULL::integer, NULL::integer, true),
                ('irf_user_data_gen_1', 'gvp_session_id', 'character varying(255)', 'character varying', 255, NULL::integer, NULL::integer, NULL::integer, true),
                ('irf_user_data_gen_1', 'revenue', 'numeric(14,2)', 'numeric', NULL::integer, 14, 2, NULL::integer, true),
                ('irf_user_data_gen_1', 'satisfaction', 'double precision', 'double precision', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('irf_user_data_gen_1', 'producer_batch_id', 'numeric(19,0)', 'numeric', NULL::integer, 19, 0, NULL::integer, true),
                ('irf_user_data_keys', 'interaction_resource_id', 'numeric(19,0)', 'numeric', NULL::integer, 19, 0, NULL::integer, false),
                ('irf_user_data_keys', 'start_date_time_key', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, false),
                ('irf_user_data_keys', 'tenant_key', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, false),
                ('irf_user_data_keys', 'create_audit_key', 'numeric(19,0)', 'numeric', NULL::integer, 19, 0, NULL::integer, false),
                ('irf_user_data_keys', 'update_audit_key', 'numeric(19,0)', 'numeric', NULL::integer, 19, 0, NULL::integer, false),
                ('irf_user_data_keys', 'interaction_descriptor_key', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('irf_user_data_keys', 'user_data_gen_dim_key_1', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('irf_user_data_keys', 'user_data_gen_dim_key_2', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('irf_user_data_keys', 'custom_key_1', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('irf_user_data_keys', 'custom_key_2', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('irf_user_data_keys', 'producer_batch_id', 'numeric(19,0)', 'numeric', NULL::integer, 19, 0, NULL::integer, true),
                ('media_type', 'media_type_key', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, false),
                ('media_type', 'media_name', 'character varying(255)', 'character varying', 255, NULL::integer, NULL::integer, NULL::integer, true),
                ('media_type', 'media_name_code', 'character varying(32)', 'character varying', 32, NULL::integer, NULL::integer, NULL::integer, true),
                ('media_type', 'is_online', 'numeric(1,0)', 'numeric', NULL::integer, 1, 0, NULL::integer, true),
                ('media_type', 'create_audit_key', 'numeric(19,0)', 'numeric', NULL::integer, 19, 0, NULL::integer, false),
                ('media_type', 'update_audit_key', 'numeric(19,0)', 'numeric', NULL::integer, 19, 0, NULL::integer, false),
                ('mediation_segment_fact', 'mediation_segment_id', 'numeric(19,0)', 'numeric', NULL::integer, 19, 0, NULL::integer, false),
                ('mediation_segment_fact', 'tenant_key', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, false),
                ('mediation_segment_fact', 'interaction_id', 'numeric(19,0)', 'numeric', NULL::integer, 19, 0, NULL::integer, false),
                ('mediation_segment_fact', 'interaction_type_key', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, false),
                ('mediation_segment_fact', 'media_type_key', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, false),
                ('mediation_segment_fact', 'resource_key', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, false),
                ('mediation_segment_fact', 'resource_group_combination_key', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('mediation_segment_fact', 'technical_descriptor_key', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('mediation_segment_fact', 'ixn_resource_id', 'numeric(19,0)', 'numeric', NULL::integer, 19, 0, NULL::integer, true),
                ('mediation_segment_fact', 'target_ixn_resource_id', 'numeric(19,0)', 'numeric', NULL::integer, 19, 0, NULL::integer, true),
                ('mediation_segment_fact', 'target_ixn_resource_sdt_key', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('mediation_segment_fact', 'media_server_ixn_guid', 'character varying(50)', 'character varying', 50, NULL::integer, NULL::integer, NULL::integer, true),
                ('mediation_segment_fact', 'orssessionid', 'character varying(64)', 'character varying', 64, NULL::integer, NULL::integer, NULL::integer, true),
                ('mediation_segment_fact', 'start_date_time_key', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, false),
                ('mediation_segment_fact', 'end_date_time_key', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('mediation_segment_fact', 'start_ts', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('mediation_segment_fact', 'end_ts', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('mediation_segment_fact', 'mediation_duration', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('mediation_segment_fact', 'userdata_flag', 'numeric(1,0)', 'numeric', NULL::integer, 1, 0, NULL::integer, true),
                ('mediation_segment_fact', 'active_flag', 'numeric(1,0)', 'numeric', NULL::integer, 1, 0, NULL::integer, true),
                ('mediation_segment_fact', 'purge_flag', 'numeric(1,0)', 'numeric', NULL::integer, 1, 0, NULL::integer, true),
                ('mediation_segment_fact', 'producer_batch_id', 'numeric(19,0)', 'numeric', NULL::integer, 19, 0, NULL::integer, true),
                ('mediation_segment_fact', 'create_audit_key', 'numeric(19,0)', 'numeric', NULL::integer, 19, 0, NULL::integer, false),
                ('mediation_segment_fact', 'update_audit_key', 'numeric(19,0)', 'numeric', NULL::integer, 19, 0, NULL::integer, false),
                ('resource_', 'resource_key', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, false),
                ('resource_', 'tenant_key', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, false),
                ('resource_', 'resource_type', 'character varying(255)', 'character varying', 255, NULL::integer, NULL::integer, NULL::integer, true),
                ('resource_', 'resource_type_code', 'character varying(32)', 'character varying', 32, NULL::integer, NULL::integer, NULL::integer, true),
                ('resource_', 'resource_subtype', 'character varying(255)', 'character varying', 255, NULL::integer, NULL::integer, NULL::integer, true),
                ('resource_', 'resource_name', 'character varying(255)', 'character varying', 255, NULL::integer, NULL::integer, NULL::integer, true),
                ('resource_', 'agent_first_name', 'character varying(64)', 'character varying', 64, NULL::integer, NULL::integer, NULL::integer, true),
                ('resource_', 'agent_last_name', 'character varying(64)', 'character varying', 64, NULL::integer, NULL::integer, NULL::integer, true),
                ('resource_', 'agent_name', 'character varying(255)', 'character varying', 255, NULL::integer, NULL::integer, NULL::integer, true),
                ('resource_', 'employee_id', 'character varying(255)', 'character varying', 255, NULL::integer, NULL::integer, NULL::integer, true),
                ('resource_', 'external_resource_id', 'character varying(255)', 'character varying', 255, NULL::integer, NULL::integer, NULL::integer, true),
                ('resource_', 'resource_cfg_dbid', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('resource_', 'resource_cfg_type_id', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('resource_', 'start_ts', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('resource_', 'end_ts', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('resource_', 'purge_flag', 'numeric(1,0)', 'numeric', NULL::integer, 1, 0, NULL::integer, true),
                ('resource_', 'create_audit_key', 'numeric(19,0)', 'numeric', NULL::integer, 19, 0, NULL::integer, false),
                ('resource_', 'update_audit_key', 'numeric(19,0)', 'numeric', NULL::integer, 19, 0, NULL::integer, false),
                ('resource_group_fact_', 'resource_group_fact_key', 'numeric(19,0)', 'numeric', NULL::integer, 19, 0, NULL::integer, false),
                ('resource_group_fact_', 'start_date_time_key', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, false),
                ('resource_group_fact_', 'end_date_time_key', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('resource_group_fact_', 'tenant_key', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, false),
                ('resource_group_fact_', 'resource_key', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, false),
                ('resource_group_fact_', 'group_key', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, false),
                ('resource_group_fact_', 'start_ts', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('resource_group_fact_', 'end_ts', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('resource_group_fact_', 'active_flag', 'numeric(1,0)', 'numeric', NULL::integer, 1, 0, NULL::integer, true),
                ('resource_group_fact_', 'purge_flag', 'numeric(1,0)', 'numeric', NULL::integer, 1, 0, NULL::integer, true),
                ('resource_group_fact_', 'create_audit_key', 'numeric(19,0)', 'numeric', NULL::integer, 19, 0, NULL::integer, false),
                ('resource_group_fact_', 'update_audit_key', 'numeric(19,0)', 'numeric', NULL::integer, 19, 0, NULL::integer, false),
                ('resource_state', 'resource_state_key', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, false),
                ('resource_state', 'state_type', 'character varying(64)', 'character varying', 64, NULL::integer, NULL::integer, NULL::integer, true),
                ('resource_state', 'state_type_code', 'character varying(32)', 'character varying', 32, NULL::integer, NULL::integer, NULL::integer, true),
                ('resource_state', 'state_name', 'character varying(64)', 'character varying', 64, NULL::integer, NULL::integer, NULL::integer, true),
                ('resource_state', 'state_name_code', 'character varying(32)', 'character varying', 32, NULL::integer, NULL::integer, NULL::integer, true),
                ('resource_state', 'create_audit_key', 'numeric(19,0)', 'numeric', NULL::integer, 19, 0, NULL::integer, false),
                ('resource_state', 'update_audit_key', 'numeric(19,0)', 'numeric', NULL::integer, 19, 0, NULL::integer, false),
                ('sm_res_session_fact', 'sm_res_session_fact_key', 'numeric(19,0)', 'numeric', NULL::integer, 19, 0, NULL::integer, false),
                ('sm_res_session_fact', 'tenant_key', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, false),
                ('sm_res_session_fact', 'media_type_key', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, false),
                ('sm_res_session_fact', 'resource_key', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, false),
                ('sm_res_session_fact', 'resource_group_combination_key', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('sm_res_session_fact', 'agent_location_key', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('sm_res_session_fact', 'start_date_time_key', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, false),
                ('sm_res_session_fact', 'end_date_time_key', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('sm_res_session_fact', 'start_ts', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('sm_res_session_fact', 'end_ts', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('sm_res_session_fact', 'total_duration', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('sm_res_session_fact', 'active_flag', 'numeric(1,0)', 'numeric', NULL::integer, 1, 0, NULL::integer, true),
                ('sm_res_session_fact', 'purge_flag', 'numeric(1,0)', 'numeric', NULL::integer, 1, 0, NULL::integer, true),
                ('sm_res_session_fact', 'producer_batch_id', 'numeric(19,0)', 'numeric', NULL::integer, 19, 0, NULL::integer, true),
                ('sm_res_session_fact', 'create_audit_key', 'numeric(19,0)', 'numeric', NULL::integer, 19, 0, NULL::integer, false),
                ('sm_res_session_fact', 'update_audit_key', 'numeric(19,0)', 'numeric', NULL::integer, 19, 0, NULL::integer, false),
                ('sm_res_state_fact', 'sm_res_state_fact_key', 'numeric(19,0)', 'numeric', NULL::integer, 19, 0, NULL::integer, false),
                ('sm_res_state_fact', 'sm_res_session_fact_key', 'numeric(19,0)', 'numeric', NULL::integer, 19, 0, NULL::integer, true),
                ('sm_res_state_fact', 'tenant_key', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, false),
                ('sm_res_state_fact', 'media_type_key', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, false),
                ('sm_res_state_fact', 'resource_key', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, false),
                ('sm_res_state_fact', 'resource_state_key', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, false),
                ('sm_res_state_fact', 'resource_group_combination_key', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('sm_res_state_fact', 'start_date_time_key', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, false),
                ('sm_res_state_fact', 'end_date_time_key', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('sm_res_state_fact', 'start_ts', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('sm_res_state_fact', 'end_ts', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('sm_res_state_fact', 'total_duration', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, true),
                ('sm_res_state_fact', 'active_flag', 'numeric(1,0)', 'numeric', NULL::integer, 1, 0, NULL::integer, true),
                ('sm_res_state_fact', 'purge_flag', 'numeric(1,0)', 'numeric', NULL::integer, 1, 0, NULL::integer, true),
                ('sm_res_state_fact', 'producer_batch_id', 'numeric(19,0)', 'numeric', NULL::integer, 19, 0, NULL::integer, true),
                ('sm_res_state_fact', 'create_audit_key', 'numeric(19,0)', 'numeric', NULL::integer, 19, 0, NULL::integer, false),
                ('sm_res_state_fact', 'update_audit_key', 'numeric(19,0)', 'numeric', NULL::integer, 19, 0, NULL::integer, false),
                ('technical_descriptor', 'technical_descriptor_key', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, false),
                ('technical_descriptor', 'technical_result', 'character varying(255)', 'character varying', 255, NULL::integer, NULL::integer, NULL::integer, true),
                ('technical_descriptor', 'technical_result_code', 'character varying(32)', 'character varying', 32, NULL::integer, NULL::integer, NULL::integer, true),
                ('technical_descriptor', 'result_reason', 'character varying(255)', 'character varying', 255, NULL::integer, NULL::integer, NULL::integer, true),
                ('technical_descriptor', 'result_reason_code', 'character varying(32)', 'character varying', 32, NULL::integer, NULL::integer, NULL::integer, true),
                ('technical_descriptor', 'resource_role', 'character varying(255)', 'character varying', 255, NULL::integer, NULL::integer, NULL::integer, true),
                ('technical_descriptor', 'resource_role_code', 'character varying(32)', 'character varying', 32, NULL::integer, NULL::integer, NULL::integer, true),
                ('technical_descriptor', 'role_reason', 'character varying(255)', 'character varying', 255, NULL::integer, NULL::integer, NULL::integer, true),
                ('technical_descriptor', 'role_reason_code', 'character varying(32)', 'character varying', 32, NULL::integer, NULL::integer, NULL::integer, true),
                ('technical_descriptor', 'create_audit_key', 'numeric(19,0)', 'numeric', NULL::integer, 19, 0, NULL::integer, false),
                ('technical_descriptor', 'update_audit_key', 'numeric(19,0)', 'numeric', NULL::integer, 19, 0, NULL::integer, false),
                ('user_data_cust_dim_1', 'id', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, false),
                ('user_data_cust_dim_1', 'tenant_key', 'integer', 'integer', NULL::integer, NULL::integer, NULL::integer, NULL::integer, false),
                ('user_data_cust_dim_1', 'dim_attribute_1', 'character varying(255)', 'character varying', 255, NULL::integer, NULL::integer, NULL::integer, true),
                ('user_data_cust_dim_1', 'dim_attribute_2', 'character varying(255)', 'character varying', 255, NULL::integer, NULL::integer, NULL::integer, true),
                ('user_data_cust_dim_1', 'dim_attribute_3', 'character varying(255)', 'character varying', 255, NULL::integer, NULL::integer, NULL::integer, true),
                ('user_data_cust_dim_1', 'dim_attribute_4', 'character varying(255)', 'character varying', 255, NULL::integer, NULL::integer, NULL::integer, true),
                ('user_data_cust_dim_1', 'dim_attribute_5', 'character varying(255)', 'character varying', 255, NULL::integer, NULL::integer, NULL::integer, true),
                ('user_data_cust_dim_1', 'create_audit_key', 'numeric(19,0)', 'numeric', NULL::integer, 19, 0, NULL::integer, false)
        ), pair AS (
            SELECT w.*,
                   c.data_type AS c_type,
                   c.character_maximum_length AS c_length,
                   c.numeric_precision AS c_precision,
                   c.numeric_scale AS c_scale,
                   c.datetime_precision AS c_time_precision,
                   c.is_nullable = 'YES' AS c_nullable,
                   format_type(a.atttypid, a.atttypmod) AS c_type_sql
            FROM w
            JOIN information_schema.columns c
              ON c.table_schema = current_schema()
             AND c.table_name = w.table_name
             AND c.column_name = w.column_name
            JOIN pg_attribute a
              ON a.attrelid = to_regclass(format('%I.%I', current_schema(), w.table_name))
             AND a.attname = w.column_name
        )
        SELECT table_name, column_name, type_sql, c_type_sql, nullable, c_nullable,
               w.data_type IS NOT NULL AND (CASE
                   WHEN c_type IN ('character varying', 'character')
                        AND w.data_type = 'text' THEN true
                   WHEN c_type = w.data_type
                        AND w.data_type IN ('character varying', 'character')
                     THEN c_length IS NOT NULL
                          AND (w.length IS NULL
                               OR w.length > c_length)
                   WHEN c_type = 'numeric' AND w.data_type = 'numeric'
                     THEN c_precision IS NOT NULL
                          AND (w.precision_ IS NULL
                               OR (w.scale >= c_scale
                                   AND w.precision_ - w.scale
                                       >= c_precision - c_scale
                                   AND w.precision_ > c_precision))
                   WHEN c_type IN ('smallint', 'integer', 'bigint') AND w.data_type IN ('smallint', 'integer', 'bigint')
                     THEN array_position(ARRAY['smallint', 'integer', 'bigint']::text[], w.data_type)
                          > array_position(ARRAY['smallint', 'integer', 'bigint']::text[], c_type)
                   WHEN c_type IN ('smallint', 'integer', 'bigint') AND w.data_type = 'numeric'
                     THEN w.precision_ IS NULL
                          OR w.precision_ - w.scale
                             >= CASE c_type WHEN 'smallint' THEN 5 WHEN 'integer' THEN 10 ELSE 19 END
                   WHEN c_type = 'real'
                        AND w.data_type = 'double precision' THEN true
                   WHEN c_type = w.data_type AND w.data_type LIKE 'time%'
                     THEN w.time_precision > c_time_precision
                   ELSE false
               END) AS widen,
               w.data_type IS NOT NULL AND c_type_sql <> type_sql
                 AND NOT (CASE
                   WHEN c_type IN ('character varying', 'character')
                        AND w.data_type = 'text' THEN true
                   WHEN c_type = w.data_type
                        AND w.data_type IN ('character varying', 'character')
                     THEN c_length IS NOT NULL
                          AND (w.length IS NULL
                               OR w.length > c_length)
                   WHEN c_type = 'numeric' AND w.data_type = 'numeric'
                     THEN c_precision IS NOT NULL
                          AND (w.precision_ IS NULL
                               OR (w.scale >= c_scale
                                   AND w.precision_ - w.scale
                                       >= c_precision - c_scale
                                   AND w.precision_ > c_precision))
                   WHEN c_type IN ('smallint', 'integer', 'bigint') AND w.data_type IN ('smallint', 'integer', 'bigint')
                     THEN array_position(ARRAY['smallint', 'integer', 'bigint']::text[], w.data_type)
                          > array_position(ARRAY['smallint', 'integer', 'bigint']::text[], c_type)
                   WHEN c_type IN ('smallint', 'integer', 'bigint') AND w.data_type = 'numeric'
                     THEN w.precision_ IS NULL
                          OR w.precision_ - w.scale
                             >= CASE c_type WHEN 'smallint' THEN 5 WHEN 'integer' THEN 10 ELSE 19 END
                   WHEN c_type = 'real'
                        AND w.data_type = 'double precision' THEN true
                   WHEN c_type = w.data_type AND w.data_type LIKE 'time%'
                     THEN w.time_precision > c_time_precision
                   ELSE false
               END) AND NOT (CASE
                   WHEN w.data_type IN ('character varying', 'character')
                        AND c_type = 'text' THEN true
                   WHEN w.data_type = c_type
                        AND c_type IN ('character varying', 'character')
                     THEN w.length IS NOT NULL
                          AND (c_length IS NULL
                               OR c_length > w.length)
                   WHEN w.data_type = 'numeric' AND c_type = 'numeric'
                     THEN w.precision_ IS NOT NULL
                          AND (c_precision IS NULL
                               OR (c_scale >= w.scale
                                   AND c_precision - c_scale
                                       >= w.precision_ - w.scale
                                   AND c_precision > w.precision_))
                   WHEN w.data_type IN ('smallint', 'integer', 'bigint') AND c_type IN ('smallint', 'integer', 'bigint')
                     THEN array_position(ARRAY['smallint', 'integer', 'bigint']::text[], c_type)
                          > array_position(ARRAY['smallint', 'integer', 'bigint']::text[], w.data_type)
                   WHEN w.data_type IN ('smallint', 'integer', 'bigint') AND c_type = 'numeric'
                     THEN c_precision IS NULL
                          OR c_precision - c_scale
                             >= CASE w.data_type WHEN 'smallint' THEN 5 WHEN 'integer' THEN 10 ELSE 19 END
                   WHEN w.data_type = 'real'
                        AND c_type = 'double precision' THEN true
                   WHEN w.data_type = c_type AND c_type LIKE 'time%'
                     THEN c_time_precision > w.time_precision
                   ELSE false
               END) AS mismatch,
               EXISTS (
                   SELECT 1 FROM pg_index i
                   JOIN pg_attribute a
                     ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
                   WHERE i.indrelid = to_regclass(
                           format('%I.%I', current_schema(), table_name))
                     AND i.indisprimary AND a.attname = column_name
               ) AS in_key
        FROM pair w
    LOOP
        IF change.widen THEN
            EXECUTE format('ALTER TABLE %I.%I ALTER COLUMN %I TYPE %s',
                           current_schema(), change.table_name,
                           change.column_name, change.type_sql);
        ELSIF change.mismatch THEN
            RAISE WARNING 'column %.% is % here, % in the source: left as it is',
                change.table_name, change.column_name, change.c_type_sql,
                change.type_sql;
        END IF;
        IF change.nullable AND NOT change.c_nullable AND NOT change.in_key THEN
            EXECUTE format('ALTER TABLE %I.%I ALTER COLUMN %I DROP NOT NULL',
                           current_schema(), change.table_name, change.column_name);
        END IF;
    END LOOP;
END
$gim$;

RESET client_min_messages;
