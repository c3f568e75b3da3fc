//! One integration-test binary (link time on two cores): every test talks
//! HTTP to a real server, once on SQLite and once on PostgreSQL.

#[path = "../common/mod.rs"]
mod common;

mod accounts;
mod appointments;
mod authz;
mod browser_harness;
mod clients;
mod config_check;
mod contract;
mod control;
mod demo;
mod errors;
mod evidence;
mod files;
mod front_end;
mod fuzz;
mod health;
mod input;
mod login_cache;
mod mail;
mod mail_faults;
mod mail_locks;
mod members;
mod metrics;
mod migrations;
mod network;
mod notices;
mod novelty;
mod pages;
mod portfolio;
mod privacy;
mod profile;
mod programmes;
mod protocol;
mod queries;
mod reminders;
mod rounds;
mod scale_out;
mod security;
mod shutdown;
mod web_journey;
mod web_pages;
