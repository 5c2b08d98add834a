//! `smpolicy schema`: the JSON Schemas of the inputs and outputs.

use super::Exit;
use smpolicy::json_schemas::{self, ALL};

/// Arguments of `schema`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The schema to print (JSON Schema, draft 2020-12); without it, lists the names.
    pub name: Option<String>,
}

/// Runs `schema`.
pub fn run(args: Args) -> Exit {
    let Some(name) = args.name else {
        let width = ALL.iter().map(|n| n.name.len()).max().unwrap_or(0);
        for n in ALL {
            println!("{:width$}  {:6}  {}", n.name, n.direction.as_str(), n.about);
        }
        return Exit::Ok;
    };
    match json_schemas::find(&name) {
        Some(n) => {
            print!("{}", n.text());
            Exit::Ok
        }
        None => {
            let names = ALL.iter().map(|n| n.name);
            let help = match smpolicy::data::error::suggest(&name, names.clone()) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("the schemas are: {}", names.collect::<Vec<_>>().join(", ")),
            };
            eprintln!("error: no schema named `{name}`; {help}");
            Exit::Error
        }
    }
}
