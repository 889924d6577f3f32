//! The values CloudFormation gives names built from the stack's name, id and parameters: the
//! intrinsic functions such names use (`Ref`, `Sub`, `Select`, `Split`, `Join`), evaluated for
//! a stack that tests choose.

use std::collections::BTreeMap;

use saphyr::{ScalarOwned, YamlOwned};

use crate::template::{at, intrinsic, text, untagged};

/// A stack of a template: its name, id and parameter values, in us-east-1.
pub struct Stack<'a> {
    template: &'a YamlOwned,
    name: String,
    id: String,
    parameters: BTreeMap<String, String>,
}

#[derive(Debug)]
enum Value {
    Text(String),
    List(Vec<String>),
}

impl<'a> Stack<'a> {
    /// A stack named `name` whose id ends in `uuid`, with every parameter at its default.
    pub fn new(template: &'a YamlOwned, name: &str, uuid: &str) -> Self {
        Self {
            template,
            name: name.to_owned(),
            id: format!("arn:aws:cloudformation:us-east-1:123456789012:stack/{name}/{uuid}"),
            parameters: BTreeMap::new(),
        }
    }

    /// The same stack with a parameter set.
    pub fn with(mut self, parameter: &str, value: &str) -> Self {
        self.parameters
            .insert(parameter.to_owned(), value.to_owned());
        self
    }

    /// The text `node` evaluates to, or why it cannot be known before a deployment.
    pub fn text(&self, node: &YamlOwned) -> Result<String, String> {
        match self.value(node)? {
            Value::Text(text) => Ok(text),
            Value::List(list) => Err(format!("a list, not a text: {list:?}")),
        }
    }

    fn value(&self, node: &YamlOwned) -> Result<Value, String> {
        if let Some((function, argument)) = intrinsic(node) {
            return self.call(function, argument);
        }
        match untagged(node) {
            YamlOwned::Value(scalar) => Ok(Value::Text(scalar_text(scalar))),
            YamlOwned::Sequence(items) => items
                .iter()
                .map(|item| self.text(item))
                .collect::<Result<_, _>>()
                .map(Value::List),
            other => Err(format!("cannot evaluate {other:?}")),
        }
    }

    fn call(&self, function: &str, argument: &YamlOwned) -> Result<Value, String> {
        let arguments = argument
            .as_sequence()
            .map(Vec::as_slice)
            .unwrap_or_default();
        match (function, arguments) {
            ("Ref", _) => self
                .reference(argument.as_str().unwrap_or_default())
                .map(Value::Text),
            ("Sub", [format, variables]) => self.sub(format, Some(variables)),
            ("Sub", _) => self.sub(argument, None),
            ("Select", [index, list]) => {
                let index: usize = self
                    .text(index)?
                    .parse()
                    .map_err(|_| format!("Select: index {index:?}"))?;
                match self.value(list)? {
                    Value::List(items) => items
                        .get(index)
                        .cloned()
                        .map(Value::Text)
                        .ok_or_else(|| format!("Select: no item {index} in {items:?}")),
                    Value::Text(text) => Err(format!("Select from a text: {text}")),
                }
            }
            ("Split", [delimiter, source]) => {
                let delimiter = self.text(delimiter)?;
                let source = self.text(source)?;
                Ok(Value::List(
                    source
                        .split(delimiter.as_str())
                        .map(str::to_owned)
                        .collect(),
                ))
            }
            ("Join", [delimiter, list]) => match self.value(list)? {
                Value::List(items) => Ok(Value::Text(items.join(&self.text(delimiter)?))),
                Value::Text(text) => Err(format!("Join of a text: {text}")),
            },
            _ => Err(format!("cannot evaluate Fn::{function} of {argument:?}")),
        }
    }

    fn sub(&self, format: &YamlOwned, variables: Option<&YamlOwned>) -> Result<Value, String> {
        let format = format
            .as_str()
            .ok_or_else(|| format!("Sub: format {format:?}"))?;
        let mut out = String::new();
        let mut rest = format;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let end = after
                .find('}')
                .ok_or_else(|| format!("Sub: unclosed ${{ in {format}"))?;
            let name = after[..end].trim();
            match name.strip_prefix('!') {
                Some(literal) => out.push_str(&format!("${{{literal}}}")),
                None => match variables.and_then(|variables| at(variables, &[name])) {
                    Some(variable) => out.push_str(&self.text(variable)?),
                    None => out.push_str(&self.reference(name)?),
                },
            }
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        Ok(Value::Text(out))
    }

    fn reference(&self, name: &str) -> Result<String, String> {
        let known = match name {
            "AWS::StackName" => Some(self.name.clone()),
            "AWS::StackId" => Some(self.id.clone()),
            "AWS::Region" => Some("us-east-1".to_owned()),
            "AWS::AccountId" => Some("123456789012".to_owned()),
            "AWS::Partition" => Some("aws".to_owned()),
            "AWS::URLSuffix" => Some("amazonaws.com".to_owned()),
            _ => self.parameters.get(name).cloned(),
        };
        if let Some(value) = known {
            return Ok(value);
        }
        let parameter = at(self.template, &["Parameters", name])
            .ok_or_else(|| format!("{name} is a resource, known only once deployed"))?;
        match at(parameter, &["Default"]) {
            Some(YamlOwned::Value(scalar)) => Ok(scalar_text(scalar)),
            _ => Err(format!(
                "parameter {name} has no default{}",
                text(parameter, &["Type"])
                    .map(|kind| format!(" (a {kind})"))
                    .unwrap_or_default()
            )),
        }
    }
}

fn scalar_text(scalar: &ScalarOwned) -> String {
    match scalar {
        ScalarOwned::String(text) => text.clone(),
        ScalarOwned::Integer(number) => number.to_string(),
        ScalarOwned::FloatingPoint(number) => number.to_string(),
        ScalarOwned::Boolean(value) => value.to_string(),
        ScalarOwned::Null => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::parse;

    #[test]
    fn names_built_from_the_stack_are_evaluated() {
        let template = parse(
            "Parameters:\n  Generation: {Type: Number, Default: 3}\n\
             Name: !Sub\n  - '${AWS::StackName}/key-${Generation}/${Id}/${!Literal}'\n  \
             - Id: !Select [0, !Split ['-', !Select [2, !Split ['/', !Ref AWS::StackId]]]]\n\
             Joined: !Join ['+', [a, !Ref AWS::Region]]\n\
             Resource: !Ref Table\n",
        )
        .expect("YAML");
        let stack = Stack::new(
            &template,
            "my-stack",
            "0a1b2c3d-0000-4000-8000-000000000000",
        );
        let name = at(&template, &["Name"]).unwrap();
        assert_eq!(
            stack.text(name).as_deref(),
            Ok("my-stack/key-3/0a1b2c3d/${Literal}")
        );
        assert_eq!(
            stack.with("Generation", "4").text(name).as_deref(),
            Ok("my-stack/key-4/0a1b2c3d/${Literal}")
        );
        let stack = Stack::new(&template, "s", "u");
        assert_eq!(
            stack.text(at(&template, &["Joined"]).unwrap()).as_deref(),
            Ok("a+us-east-1")
        );
        assert!(stack.text(at(&template, &["Resource"]).unwrap()).is_err());
    }
}
