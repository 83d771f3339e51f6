//! Apache httpd: the configuration grammar, reading whole trees as httpd
//! does (includes, conditionals, variables, macros), the parse tree as
//! crossplane-shaped JSON, and the list of virtual hosts.

pub mod addr;
pub mod ast;
pub mod env;
pub mod json;
pub mod loader;
pub mod parser;
pub mod regex;
pub mod resolve;
pub mod vhosts;
pub mod words;
