from pydantic import BaseModel

from app.schemas.common import Id


class OwnerItemCount(BaseModel):
    user_id: Id
    email: str
    item_count: int


class Stats(BaseModel):
    users: int
    active_users: int
    items: int
    top_owners: list[OwnerItemCount]
