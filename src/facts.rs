//! What the absence of a fact means, for every stage. The built-in facts,
//! their types and their order are the one table in [`crate::data::flat`]
//! (`fields!`, with [`Field::absent`]); declared facts (`facts.NAME`) follow
//! their declared type. An action that does not give a fact, or gives it as
//! `null`, says what this module says: the interpreter, the compiled form and
//! the diff all ask here.
//!
//! Today a yes/no fact that is not given counts as no and a list as empty, as
//! the data contract documents; every other absent fact is *not given*, and a
//! test of it is unknown ([`crate::semantics`]). (Issue #12 asks that yes/no
//! facts and lists become *not given* too; that change is this table's.)

use crate::data::flat::Field;
use crate::value::{Type, Value};

/// What an action that does not give a fact says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Absent {
    /// Nothing: a test of it is unknown.
    NotGiven,
    /// No (a yes/no fact).
    False,
    /// An empty list (`done`: no duty recorded as done; `content.kind`).
    Empty,
    /// None was given, and every test of it is false (`approval.granted_by`: no approval).
    NoneGiven,
}

/// What the absence of a fact path means; `ty` is the type the policy knows it by
/// (it decides for declared facts).
pub fn absent(path: &str, ty: Option<&Type>) -> Absent {
    match Field::of_path(path) {
        Some(f) => f.absent(),
        None => match ty {
            Some(Type::Bool) => Absent::False,
            Some(Type::EnumList(_)) => Absent::Empty,
            _ => Absent::NotGiven,
        },
    }
}

/// The value an absent fact stands for, if its absence has one.
pub fn absent_value(path: &str, ty: Option<&Type>) -> Option<Value> {
    match absent(path, ty) {
        Absent::False => Some(Value::Bool(false)),
        Absent::Empty => Some(Value::List(vec![])),
        Absent::NotGiven | Absent::NoneGiven => None,
    }
}

/// Whether every test of the fact is false when it is absent (`approval.granted_by`).
pub fn absent_is_none(path: &str) -> bool {
    absent(path, None) == Absent::NoneGiven
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absent_meanings_follow_the_table() {
        assert_eq!(absent("done", None), Absent::Empty);
        assert_eq!(absent("approval.granted_by", None), Absent::NoneGiven);
        assert_eq!(absent("content.confidential", None), Absent::False);
        assert_eq!(absent("history.posts_today", None), Absent::NotGiven);
        assert_eq!(absent("actor.departed_on", None), Absent::NotGiven);
        assert_eq!(absent("facts.x", Some(&Type::Bool)), Absent::False);
        assert_eq!(absent("facts.x", Some(&Type::Int)), Absent::NotGiven);
        // Every built-in field's answer agrees with its type.
        for f in Field::ALL {
            let ty = crate::data::action::Action::path_type(f.path());
            match absent(f.path(), None) {
                Absent::False => assert_eq!(ty, Some(Type::Bool), "{}", f.path()),
                Absent::Empty => assert!(matches!(ty, Some(Type::EnumList(_))), "{}", f.path()),
                Absent::NotGiven | Absent::NoneGiven => {}
            }
        }
    }
}
