//! The records an object is associated with, by object type: from a read's `associations` block, a v4
//! batch read, or the associations a create sent (HubSpot creates them with the object, or refuses the
//! whole create). Pure; no I/O.

use unified_core::resource::Text;

use crate::wire::{AssociationBatch, CrmObject};

/// Associated ids per object type (`companies`, `contacts`, `deals`), each in the order HubSpot gave
/// them, without repeats (HubSpot lists an association once per association type).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Links {
    by_type: Vec<(String, Vec<Text>)>,
}

impl Links {
    pub fn add(&mut self, object_type: &str, id: &str) {
        let ids = match self.by_type.iter_mut().find(|(t, _)| t == object_type) {
            Some((_, ids)) => ids,
            None => {
                self.by_type.push((object_type.to_owned(), Vec::new()));
                &mut self.by_type.last_mut().expect("just pushed").1
            }
        };
        if !ids.iter().any(|known| known == id) {
            ids.push(Text::from(id));
        }
    }

    /// The ids of `object_type`, possibly none.
    pub fn of(&self, object_type: &str) -> &[Text] {
        self.by_type.iter().find(|(t, _)| t == object_type).map_or(&[], |(_, ids)| ids.as_slice())
    }

    pub fn first(&self, object_type: &str) -> Option<Text> {
        self.of(object_type).first().cloned()
    }

    /// `Some(ids)` when there are any: a record says `null`, not `[]`, for none.
    pub fn list(&self, object_type: &str) -> Option<Vec<Text>> {
        let ids = self.of(object_type);
        (!ids.is_empty()).then(|| ids.to_vec())
    }

    /// The `associations` block of a read. Primary associations (`contact_to_company`, not
    /// `contact_to_company_unlabeled`) come first, so that `first` is the primary one.
    pub fn from_object(object: &CrmObject<'_>) -> Self {
        let mut links = Self::default();
        for (object_type, block) in object.associations.iter().flatten() {
            let unlabeled = |a: &&crate::wire::AssociatedObject<'_>| {
                a.kind.as_ref().is_some_and(|k| k.as_str().ends_with("_unlabeled"))
            };
            let (primary, rest): (Vec<_>, Vec<_>) = block.results.iter().partition(|a| !unlabeled(a));
            for associated in primary.into_iter().chain(rest) {
                links.add(object_type.as_str(), associated.id.as_str());
            }
        }
        links
    }

    /// Adds the rows of a v4 batch read from `from_id` to objects of `object_type`.
    pub fn add_batch(&mut self, object_type: &str, from_id: &str, batch: &AssociationBatch) {
        for row in batch.results.iter().filter(|r| r.from.id == from_id) {
            for to in &row.to {
                let id = match &to.to_object_id {
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                self.add(object_type, &id);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_read_block_with_one_id_under_two_association_types_is_one_link() {
        let body = r#"{"id":"1","properties":{},"associations":{"companies":{"results":[
            {"id":"2","type":"contact_to_company_unlabeled"},
            {"id":"21678228008","type":"contact_to_company"},{"id":"21678228008","type":"contact_to_company_unlabeled"}]}}}"#;
        let object: CrmObject<'_> = serde_json::from_str(body).unwrap();
        let links = Links::from_object(&object);
        assert_eq!(links.of("companies"), ["21678228008", "2"], "the primary first, each once");
        assert_eq!(links.list("deals"), None);
    }

    #[test]
    fn batch_rows_take_numeric_ids() {
        let batch: AssociationBatch = serde_json::from_str(
            r#"{"results":[{"from":{"id":"5"},"to":[{"toObjectId":88415392071,"associationTypes":[{"category":"HUBSPOT_DEFINED","typeId":3}]}]},
                           {"from":{"id":"6"},"to":[{"toObjectId":1}]}]}"#,
        )
        .unwrap();
        let mut links = Links::default();
        links.add_batch("contacts", "5", &batch);
        assert_eq!(links.of("contacts"), ["88415392071"]);
    }
}
