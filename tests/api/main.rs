#![allow(clippy::unwrap_used)]
//! Integration tests: one binary, one module per resource. Each test spawns its own
//! gapmap on a free port with a fresh store.

mod access;
mod assessments;
mod atlas_updates;
mod barriers;
mod bulk_writes;
mod census;
mod cli;
mod compare;
mod crash;
mod faults;
mod fuzz_regressions;
mod gaps;
mod geographies;
mod helpers;
mod hsds;
mod http;
mod layers;
mod limits;
mod needs;
mod openapi;
mod opportunities;
mod outreach;
mod page;
mod partner_edits;
mod partners;
mod records;
mod replicas;
mod report;
mod search;
mod shapefiles;
mod siting;
mod stored_geometry;
mod tiles;
mod travel;
mod uploads;
mod vocabulary;
mod warnings;
