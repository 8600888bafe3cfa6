//! Handler tests of the pulse endpoint (being written).
