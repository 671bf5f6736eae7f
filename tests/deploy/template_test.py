#!/usr/bin/python3
"""deploy/lambda/template.yaml, resolved the way CloudFormation would.

Every !Ref, !GetAtt, !Sub and !If is resolved for both values of UseQueue with the parameters'
defaults: a name that resolves to nothing (a typo, a resource removed, a conditional resource
used where its condition is false) fails. Then the role is checked against what the function
does (docs/deploy-lambda.md, "Permissions"): exactly these actions on exactly these resources,
and the bucket is private.
"""
import os
import sys
import unittest

import yaml

TEMPLATE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "deploy",
                        "lambda", "template.yaml")
PSEUDO = {"AWS::Region": "us-east-1", "AWS::AccountId": "123456789012", "AWS::Partition": "aws",
          "AWS::StackName": "gf", "AWS::NoValue": None}
# Attributes each resource type used here really has.
ATTRIBUTES = {"AWS::S3::Bucket": {"Arn"}, "AWS::IAM::Role": {"Arn"},
              "AWS::Lambda::Function": {"Arn"}, "AWS::Events::Rule": {"Arn"},
              "AWS::SQS::Queue": {"Arn", "QueueName", "QueueUrl"},
              "AWS::Logs::LogGroup": {"Arn"}}


class Tag:
    def __init__(self, name, value):
        self.name, self.value = name, value


def tag_constructor(name):
    def construct(loader, node):
        if isinstance(node, yaml.ScalarNode):
            value = loader.construct_scalar(node)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)
        return Tag(name, value)
    return construct


class Loader(yaml.SafeLoader):
    pass


for short in ("Ref", "GetAtt", "Sub", "If", "Equals", "Not", "And", "Or", "Join", "Select",
              "Split", "FindInMap", "Condition"):
    Loader.add_constructor("!" + short, tag_constructor(short))


class Resolver:
    """Resolves the template for one set of parameter values."""

    def __init__(self, template, parameters):
        self.template = template
        self.parameters = parameters
        self.resources = template["Resources"]
        self.conditions = {}
        for name, expression in template.get("Conditions", {}).items():
            self.conditions[name] = self.value(expression)

    def active(self, resource_name):
        condition = self.resources[resource_name].get("Condition")
        return condition is None or self.condition(condition)

    def condition(self, name):
        if name not in self.template.get("Conditions", {}):
            raise AssertionError("unknown condition " + name)
        if name not in self.conditions:
            self.conditions[name] = self.value(self.template["Conditions"][name])
        return self.conditions[name]

    def ref(self, name):
        if name in PSEUDO:
            return PSEUDO[name]
        if name in self.parameters:
            return self.parameters[name]
        if name in self.resources:
            if not self.active(name):
                raise AssertionError("!Ref to " + name + ", which is not created here")
            return "ref:" + name
        raise AssertionError("!Ref to unknown name " + name)

    def get_att(self, value):
        resource, attribute = value.split(".", 1) if isinstance(value, str) else value
        if resource not in self.resources:
            raise AssertionError("!GetAtt of unknown resource " + resource)
        if not self.active(resource):
            raise AssertionError("!GetAtt of " + resource + ", which is not created here")
        kind = self.resources[resource]["Type"]
        if attribute not in ATTRIBUTES.get(kind, set()):
            raise AssertionError("%s has no attribute %s" % (kind, attribute))
        if kind == "AWS::S3::Bucket" and attribute == "Arn":
            return "arn:aws:s3:::bucket-" + resource
        return "arn:" + resource + ":" + attribute

    def sub(self, value):
        text, extra = (value, {}) if isinstance(value, str) else (value[0], value[1])
        out, i = "", 0
        while i < len(text):
            start = text.find("${", i)
            if start < 0:
                out += text[i:]
                break
            end = text.index("}", start)
            out += text[i:start]
            name = text[start + 2:end]
            if name in extra:
                out += str(self.value(extra[name]))
            elif "." in name:
                out += self.get_att(name)
            else:
                resolved = self.ref(name)
                out += "bucket-" + name if str(resolved).startswith("ref:") and \
                    self.resources.get(name, {}).get("Type") == "AWS::S3::Bucket" else str(resolved)
            i = end + 1
        return out

    def value(self, node):
        if isinstance(node, Tag):
            if node.name == "Ref":
                return self.ref(node.value)
            if node.name == "GetAtt":
                return self.get_att(node.value)
            if node.name == "Sub":
                return self.sub(node.value)
            if node.name == "If":
                name, yes, no = node.value
                return self.value(yes if self.condition(name) else no)
            if node.name == "Equals":
                left, right = (self.value(v) for v in node.value)
                return str(left) == str(right)
            if node.name == "Not":
                return not self.value(node.value[0])
            raise AssertionError("function !" + node.name + " not expected in this template")
        if isinstance(node, dict):
            out = {}
            for key, child in node.items():
                resolved = self.value(child)
                if resolved is not None:
                    out[key] = resolved
            return out
        if isinstance(node, list):
            return [v for v in (self.value(child) for child in node) if v is not None]
        return node

    def resolved_resources(self):
        return {name: self.value(body) for name, body in self.resources.items()
                if self.active(name)}


def defaults(template, **overrides):
    values = {name: spec.get("Default") for name, spec in template["Parameters"].items()}
    values.update(overrides)
    return values


class TemplateTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        with open(TEMPLATE) as f:
            cls.template = yaml.load(f, Loader=Loader)

    def resolve(self, use_queue):
        return Resolver(self.template,
                        defaults(self.template, UseQueue=use_queue,
                                 CodeBucket="code-bucket")).resolved_resources()

    def statements(self, resources):
        out = []
        for policy in resources["FunctionRole"]["Properties"]["Policies"]:
            out.extend(policy["PolicyDocument"]["Statement"])
        return out

    def test_every_reference_resolves_with_and_without_the_queue(self):
        for use_queue in ("true", "false"):
            resources = self.resolve(use_queue)
            self.assertIn("Function", resources)
            self.assertEqual("FindingQueue" in resources, use_queue == "true")

    def test_the_role_grants_exactly_what_the_function_uses(self):
        # Publishing (S3 publisher: PUT, HEAD), the state (GET, PUT with conditions), and
        # ListBucket so that a missing object is a 404, not a 403 (a cold start's "no state").
        bucket = "arn:aws:s3:::bucket-FeedBucket"
        for use_queue in ("true", "false"):
            actions = {}
            for statement in self.statements(self.resolve(use_queue)):
                self.assertEqual(statement["Effect"], "Allow")
                names = statement["Action"] if isinstance(statement["Action"], list) \
                    else [statement["Action"]]
                targets = statement["Resource"] if isinstance(statement["Resource"], list) \
                    else [statement["Resource"]]
                for action in names:
                    self.assertNotIn("*", action)
                    actions.setdefault(action, set()).update(targets)
            expected_objects = {bucket + "/" + key for key in
                                ("manifest.xml", "cc_schema", "gd_ip_feed", "gd_dns_feed",
                                 "ip_blocklist", "guardfeed-state/*")}
            self.assertEqual(actions["s3:GetObject"], expected_objects)
            self.assertEqual(actions["s3:PutObject"], expected_objects)
            self.assertEqual(actions["s3:ListBucket"], {bucket})
            self.assertEqual(actions["logs:PutLogEvents"], {"arn:LogGroup:Arn"})
            expected = {"s3:GetObject", "s3:PutObject", "s3:ListBucket", "logs:CreateLogStream",
                        "logs:PutLogEvents"}
            if use_queue == "true":
                expected |= {"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes",
                             "sqs:ChangeMessageVisibility"}
            self.assertEqual(set(actions), expected)

    def test_the_bucket_is_private(self):
        bucket = self.resolve("false")["FeedBucket"]["Properties"]
        block = bucket["PublicAccessBlockConfiguration"]
        self.assertTrue(all(block[k] for k in ("BlockPublicAcls", "BlockPublicPolicy",
                                               "IgnorePublicAcls", "RestrictPublicBuckets")))
        self.assertEqual(bucket["OwnershipControls"]["Rules"][0]["ObjectOwnership"],
                         "BucketOwnerEnforced")

    def test_the_function_gets_the_seeds_variables(self):
        function = self.resolve("false")["Function"]["Properties"]
        self.assertEqual(function["Runtime"], "provided.al2023")
        variables = function["Environment"]["Variables"]
        self.assertEqual(variables["S3_BUCKET"], "ref:FeedBucket")
        for name in ("IP_FEED", "DNS_FEED", "SEVERITY_LEVEL", "MAX_ENTRIES", "FEED_TTL",
                     "FEED_UPDATE_INTERVAL", "S3_BLOCKLIST_KEY", "GUARDFEED_STATE_PREFIX"):
            self.assertIn(name, variables)
        # An empty token must not reach the function as an empty variable.
        self.assertNotIn("SKY_APPLICATION_TOKEN", variables)

    def test_the_queue_reports_partial_batch_failures(self):
        mapping = self.resolve("true")["QueueMapping"]["Properties"]
        self.assertEqual(mapping["FunctionResponseTypes"], ["ReportBatchItemFailures"])
        queue = self.resolve("true")["FindingQueue"]["Properties"]
        self.assertIn("deadLetterTargetArn", queue["RedrivePolicy"])


if __name__ == "__main__":
    sys.exit(unittest.main())
