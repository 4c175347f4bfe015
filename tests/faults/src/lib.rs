//! Nothing here: see tests/faults.rs.
