//! nginx: grammar, include loading, `nginx -T` dumps, crossplane output.

pub mod ast;
pub mod crossplane;
pub mod defaults;
pub mod dump;
pub mod loader;
pub mod parser;
pub mod resolve;
