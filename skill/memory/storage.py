"""Which store keeps the per-user record: DynamoDB when SCIATICA_DYNAMODB_TABLE is set (AWS
Lambda, several hosts), otherwise a SQLite file on this machine.

Environment:
  SCIATICA_DYNAMODB_TABLE         table name; selects DynamoDB
  SCIATICA_DYNAMODB_CREATE_TABLE  true/false (default false): create the table if missing
  SCIATICA_DYNAMODB_ENDPOINT      endpoint URL, for a local DynamoDB-compatible server
  AWS_REGION / AWS_DEFAULT_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN
                                  as boto3 reads them (or its usual chain: role, ~/.aws)
  SCIATICA_DB_PATH                SQLite file (default: see store.default_database_path)
  SCIATICA_USER_KEY_SALT          secret for hashing user ids; set your own in production
"""
from __future__ import annotations

import functools
import logging
import os
import random
import re
import time
import uuid
from decimal import Decimal
from typing import Any, Callable, Mapping, Optional

from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter
from ask_sdk_core.exceptions import PersistenceException

from skill.memory.store import (DEFAULT_SALT, SALT_VARIABLE, SQLitePersistenceAdapter,
                                default_database_path, hashed_user_id, people_index_key,
                                person_id, person_key)

logger = logging.getLogger(__name__)

TABLE_NAME = re.compile(r"[A-Za-z0-9_.-]{3,255}")
TRUE_WORDS, FALSE_WORDS = {"1", "true", "yes", "on"}, {"", "0", "false", "no", "off"}
# DynamoDB's update_attributes: each write stores a new random revision beside the record, and
# writes only if the revision it read is still there; when another request wrote in between,
# it reads again and retries, a few times, after a short random pause.
REVISION = "revision"
MAX_UPDATE_ATTEMPTS = 10


def build_persistence_adapter(
        environ: Mapping[str, str] = os.environ) -> Optional[AbstractPersistenceAdapter]:
    """The adapter the environment asks for, or None where nothing can be kept. Bad settings
    raise ValueError naming the variable; nothing is opened here for SQLite (the file is
    created on first use)."""
    keygen = functools.partial(hashed_user_id, salt=environ.get(SALT_VARIABLE) or DEFAULT_SALT)
    table = environ.get("SCIATICA_DYNAMODB_TABLE", "").strip()
    if table:
        return _dynamodb_adapter(table, environ, keygen)
    if environ.get("AWS_LAMBDA_FUNCTION_NAME") and not environ.get("SCIATICA_DB_PATH"):
        # Lambda's disk is not kept between containers: a SQLite file there would forget
        # users at random. Without a DynamoDB table, remember nobody.
        logger.warning("on AWS Lambda without SCIATICA_DYNAMODB_TABLE: memory is off")
        return None
    return SQLitePersistenceAdapter(default_database_path(environ), partition_keygen=keygen)


def _dynamodb_adapter(table: str, environ: Mapping[str, str], keygen) -> AbstractPersistenceAdapter:
    if not TABLE_NAME.fullmatch(table):
        raise ValueError(f"SCIATICA_DYNAMODB_TABLE={table!r} is not a DynamoDB table name "
                         "(3-255 of A-Z a-z 0-9 _ . -)")
    create = environ.get("SCIATICA_DYNAMODB_CREATE_TABLE", "").strip().lower()
    if create not in TRUE_WORDS | FALSE_WORDS:
        raise ValueError(f"SCIATICA_DYNAMODB_CREATE_TABLE={create!r} must be true or false")
    endpoint = environ.get("SCIATICA_DYNAMODB_ENDPOINT", "").strip() or None
    if endpoint and not re.match(r"https?://[^/\s]+", endpoint):
        raise ValueError(f"SCIATICA_DYNAMODB_ENDPOINT={endpoint!r} must be an http(s) URL")

    # Imported here so the default (SQLite) install needs neither boto3 nor the adapter.
    try:
        import boto3
        from botocore.exceptions import NoRegionError
    except ImportError as missing:
        raise ValueError("SCIATICA_DYNAMODB_TABLE is set but boto3 is not installed: "
                         "pip install 'sciatica-check[aws]'") from missing
    region = environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION") or None
    try:
        # ask_sdk_dynamodb builds a default boto3 resource when it is imported, which fails
        # without a region in the process environment (AWS_DEFAULT_REGION; Lambda sets it).
        from ask_sdk_dynamodb.adapter import DynamoDbAdapter
    except ImportError as missing:
        raise ValueError("SCIATICA_DYNAMODB_TABLE is set but ask-sdk-dynamodb-persistence-"
                         "adapter is not installed: pip install 'sciatica-check[aws]'") from missing
    except NoRegionError:
        raise ValueError("SCIATICA_DYNAMODB_TABLE is set but no AWS region is set: "
                         "set AWS_DEFAULT_REGION in the environment") from None

    session = boto3.session.Session(
        region_name=region,
        aws_access_key_id=environ.get("AWS_ACCESS_KEY_ID") or None,
        aws_secret_access_key=environ.get("AWS_SECRET_ACCESS_KEY") or None,
        aws_session_token=environ.get("AWS_SESSION_TOKEN") or None)
    try:
        resource = session.resource("dynamodb", endpoint_url=endpoint)
    except NoRegionError:
        raise ValueError("SCIATICA_DYNAMODB_TABLE is set but no AWS region is set: "
                         "set AWS_REGION or AWS_DEFAULT_REGION") from None
    adapter = DynamoDbAdapter(table_name=table, create_table=create in TRUE_WORDS,
                              partition_keygen=functools.partial(_record_key, keygen),
                              dynamodb_resource=resource)
    if create in TRUE_WORDS:
        # create_table returns before a new table is ACTIVE; the first read would fail.
        resource.Table(table).wait_until_exists()
    return PlainNumbersAdapter(adapter, account_keygen=keygen)


def _record_key(account_keygen, request_envelope) -> str:
    """The account's key, or a recognised person's own (store.person_key), as on SQLite."""
    account, person = account_keygen(request_envelope), person_id(request_envelope)
    return account if person is None else person_key(account, person)


class PlainNumbersAdapter(AbstractPersistenceAdapter):
    """ask-sdk's DynamoDB adapter, made to behave as store.py's SQLite store does: numbers
    come back as int/float (DynamoDB hands back Decimal and refuses floats), every change is
    atomic (update_attributes), and recognised people on one account are kept apart (hazard
    H17): each person's record under their own key, and an item per account listing them
    (a string set, changed with ADD and DELETE, so two people's first visits at once cannot
    lose each other)."""

    PEOPLE = "people"

    def __init__(self, inner: AbstractPersistenceAdapter,
                 account_keygen: Optional[Callable] = None):
        self.inner = inner
        self.account_keygen = account_keygen or inner.partition_keygen

    def get_attributes(self, request_envelope) -> dict:
        return _from_decimal(self.inner.get_attributes(request_envelope))

    def save_attributes(self, request_envelope, attributes) -> None:
        self._list_person(request_envelope)
        self.inner.save_attributes(request_envelope, _to_decimal(attributes))

    def delete_attributes(self, request_envelope) -> None:
        self.forget(request_envelope)

    def forget(self, request_envelope) -> bool:
        """Delete this user's (or recognised person's) record without reading it, and take
        the person off the account's list; True when there was one."""
        key = self.inner.partition_keygen(request_envelope)
        old = self._call("delete the user record", lambda table: table.delete_item(
            Key={self.inner.partition_key_name: key}, ReturnValues="ALL_OLD"))
        if person_id(request_envelope) is not None:
            self._change_people(request_envelope, "DELETE", key)
        return bool(old.get("Attributes"))

    def has_person_records(self, request_envelope) -> bool:
        """Whether anyone recognised on this account has a record."""
        return bool(self._people(request_envelope))

    def delete_account(self, request_envelope) -> int:
        """Everything kept for the account (the skill-disabled event): its own record, each
        recognised person's, and the list of them. Returns the items deleted."""
        account = self.account_keygen(request_envelope)
        keys = [account, people_index_key(account)] + sorted(self._people(request_envelope))
        name = self.inner.partition_key_name
        return sum(bool(self._call("delete an account's records", lambda table, key=key:
                                   table.delete_item(Key={name: key}, ReturnValues="ALL_OLD"))
                        .get("Attributes")) for key in keys)

    def _people(self, request_envelope) -> set:
        index = people_index_key(self.account_keygen(request_envelope))
        item = self._call("read the account's people", lambda table: table.get_item(
            Key={self.inner.partition_key_name: index}, ConsistentRead=True)).get("Item")
        people = (item or {}).get(self.PEOPLE)
        return {key for key in people if isinstance(key, str)} if isinstance(people, set) else set()

    def _list_person(self, request_envelope) -> None:
        if person_id(request_envelope) is not None:
            self._change_people(request_envelope, "ADD",
                                self.inner.partition_keygen(request_envelope))

    def _change_people(self, request_envelope, action: str, person_record_key: str) -> None:
        index = people_index_key(self.account_keygen(request_envelope))
        self._call("change the account's people", lambda table: table.update_item(
            Key={self.inner.partition_key_name: index},
            UpdateExpression=f"{action} #people :person",
            ExpressionAttributeNames={"#people": self.PEOPLE},
            ExpressionAttributeValues={":person": {person_record_key}}))

    def _call(self, action: str, operation: Callable[[Any], Any]) -> Any:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return operation(self.inner.dynamodb.Table(self.inner.table_name))
        except (BotoCoreError, ClientError) as problem:
            raise PersistenceException(f"cannot {action}: {problem}") from None

    def update_attributes(self, request_envelope, change: Callable[[dict], dict]) -> dict:
        """Read, change and write this user's record as one change (store.py's counterpart
        does it in one SQLite transaction): a write conditional on the revision read, retried
        when another request wrote in between, so two requests for the same user at once cannot
        lose each other's change. An exception from `change` writes nothing. Returns the new
        record."""
        from botocore.exceptions import BotoCoreError, ClientError

        inner = self.inner
        key = {inner.partition_key_name: inner.partition_keygen(request_envelope)}
        # Listed first: a failure here writes nothing, and a list naming a record that then
        # failed to be written only makes an unrecognised speaker count as new (H17).
        self._list_person(request_envelope)
        for attempt in range(MAX_UPDATE_ATTEMPTS):
            try:
                table = inner.dynamodb.Table(inner.table_name)
                item = table.get_item(Key=key, ConsistentRead=True).get("Item")
            except (BotoCoreError, ClientError) as problem:
                raise PersistenceException(f"cannot read the user record: {problem}") from None
            record = change(_from_decimal(item[inner.attribute_name]) if item else {})
            if not isinstance(record, dict):
                raise PersistenceException(f"the user record must be a dict, not "
                                           f"{type(record).__name__}")
            key_name, revision = {"#key": inner.partition_key_name}, {"#revision": REVISION}
            if item is None:
                condition, names, values = "attribute_not_exists(#key)", key_name, {}
            elif REVISION in item:
                condition, names = "#revision = :revision", revision
                values = {":revision": item[REVISION]}
            else:   # written by save_attributes, which keeps no revision
                condition = "attribute_exists(#key) AND attribute_not_exists(#revision)"
                names, values = {**key_name, **revision}, {}
            try:
                table.put_item(Item={**key, inner.attribute_name: _to_decimal(record),
                                     REVISION: uuid.uuid4().hex},
                               ConditionExpression=condition, ExpressionAttributeNames=names,
                               **({"ExpressionAttributeValues": values} if values else {}))
                return record
            except ClientError as problem:
                if problem.response.get("Error", {}).get("Code") != \
                        "ConditionalCheckFailedException":
                    raise PersistenceException(f"cannot write the user record: {problem}") \
                        from None
            except BotoCoreError as problem:
                raise PersistenceException(f"cannot write the user record: {problem}") from None
            time.sleep(random.uniform(0, 0.01 * (attempt + 1)))
        raise PersistenceException(f"the user record kept changing: not written after "
                                   f"{MAX_UPDATE_ATTEMPTS} attempts")


def _from_decimal(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {key: _from_decimal(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_from_decimal(item) for item in value]
    return value


def _to_decimal(value: Any) -> Any:
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, dict):
        return {key: _to_decimal(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_to_decimal(item) for item in value]
    return value
