"""The fake Sheets API keeps row DeveloperMetadata as Google documents it (tests/fake_sheets_rows.py):
it moves with its row, dies with it, and is found by search and by spreadsheets.get."""
import pytest
import requests

from tests.fake_sheets import FakeSheets

KEY = "k-rows"
TITLE = "Danh sách"


@pytest.fixture
def fake():
    with FakeSheets() as server:
        rows = [["Tên", "Mã"], ["C", "X-3"], ["A", "X-1"], ["B", "X-2"]]
        server.add_spreadsheet(KEY, {TITLE: rows}, sizes={TITLE: (10, 4)})
        post(server, [tag(row, value) for row, value in ((1, "X-3"), (2, "X-1"), (3, "X-2"))])
        yield server


def post(fake, requests_, status=200):
    answer = requests.post(f"{fake.url}/v4/spreadsheets/{KEY}:batchUpdate", json={"requests": requests_}, timeout=5)
    assert answer.status_code == status, answer.text
    return answer.json()


def tag(row, value, **extra):
    return {"createDeveloperMetadata": {"developerMetadata": {
        "metadataKey": "phoihop.id", "metadataValue": value, "visibility": "PROJECT",
        "location": {"dimensionRange": {"sheetId": 0, "dimension": "ROWS", "startIndex": row, "endIndex": row + 1}},
        **extra}}}


def tags(fake):
    """0-based row → metadata value, as the search finds them."""
    answer = requests.post(f"{fake.url}/v4/spreadsheets/{KEY}/developerMetadata:search", timeout=5, json={
        "dataFilters": [{"developerMetadataLookup": {"metadataKey": "phoihop.id"}}]}).json()
    return {m["developerMetadata"]["location"]["dimensionRange"]["startIndex"]: m["developerMetadata"]["metadataValue"]
            for m in answer.get("matchedDeveloperMetadata", [])}


def names(fake):
    return [row[0] if row else None for row in fake.grid(KEY, TITLE)[1:]]


def rows_range(start, end):
    return {"sheetId": 0, "dimension": "ROWS", "startIndex": start, "endIndex": end}


def test_created_metadata_is_answered_with_its_row_location(fake):
    reply = post(fake, [tag(5, "X-9")])["replies"][0]["createDeveloperMetadata"]["developerMetadata"]
    assert reply["location"] == {"locationType": "ROW", "dimensionRange": {"dimension": "ROWS", "startIndex": 5,
                                                                            "endIndex": 6}}
    assert reply["metadataId"] > 0 and reply["visibility"] == "PROJECT"


def test_metadata_of_more_than_one_row_is_refused(fake):
    request = tag(1, "X-9")
    request["createDeveloperMetadata"]["developerMetadata"]["location"]["dimensionRange"]["endIndex"] = 4
    assert "single row" in post(fake, [request], status=400)["error"]["message"]


def test_spreadsheets_get_gives_row_metadata_in_grid_data(fake):
    answer = requests.get(f"{fake.url}/v4/spreadsheets/{KEY}", timeout=5, params={
        "ranges": f"'{TITLE}'", "fields": "sheets.data.rowMetadata.developerMetadata.metadataValue"}).json()
    assert answer["sheets"][0]["data"][0]["rowMetadata"] == [
        {}, {"developerMetadata": [{"metadataValue": "X-3"}]}, {"developerMetadata": [{"metadataValue": "X-1"}]},
        {"developerMetadata": [{"metadataValue": "X-2"}]}, {}, {}, {}, {}, {}, {}]


def test_metadata_moves_with_its_row_when_rows_are_inserted_above(fake):
    post(fake, [{"insertDimension": {"range": rows_range(1, 3)}}])
    assert tags(fake) == {3: "X-3", 4: "X-1", 5: "X-2"}
    assert names(fake) == [None, None, "C", "A", "B"]


def test_metadata_dies_with_its_deleted_row(fake):
    post(fake, [{"deleteDimension": {"range": rows_range(2, 3)}}])
    assert tags(fake) == {1: "X-3", 2: "X-2"}
    assert names(fake) == ["C", "B"]


def test_metadata_moves_with_its_rows_on_a_sort_of_whole_rows(fake):
    post(fake, [{"sortRange": {"range": {"sheetId": 0, "startRowIndex": 1, "endRowIndex": 4},
                               "sortSpecs": [{"dimensionIndex": 0, "sortOrder": "ASCENDING"}]}}])
    assert names(fake) == ["A", "B", "C"]
    assert tags(fake) == {1: "X-1", 2: "X-2", 3: "X-3"}


def test_a_sort_of_some_columns_moves_only_their_cells(fake):
    post(fake, [{"sortRange": {"range": {"sheetId": 0, "startRowIndex": 1, "endRowIndex": 4, "startColumnIndex": 0,
                                         "endColumnIndex": 1},
                               "sortSpecs": [{"dimensionIndex": 0, "sortOrder": "ASCENDING"}]}}])
    assert names(fake) == ["A", "B", "C"]
    assert tags(fake) == {1: "X-3", 2: "X-1", 3: "X-2"}
    assert [row[1] for row in fake.grid(KEY, TITLE)[1:]] == ["X-3", "X-1", "X-2"]


def test_empty_cells_sort_last_in_both_orders(fake):
    post(fake, [{"updateCells": {"start": {"sheetId": 0, "rowIndex": 2, "columnIndex": 0}, "rows": [{"values": [{}]}],
                                 "fields": "userEnteredValue"}}])
    post(fake, [{"sortRange": {"range": {"sheetId": 0, "startRowIndex": 1, "endRowIndex": 4},
                               "sortSpecs": [{"dimensionIndex": 0, "sortOrder": "DESCENDING"}]}}])
    assert names(fake) == ["C", "B", None]
    assert tags(fake) == {1: "X-3", 2: "X-2", 3: "X-1"}


def test_moved_rows_take_their_metadata(fake):
    post(fake, [{"moveDimension": {"source": rows_range(1, 2), "destinationIndex": 4}}])
    assert names(fake) == ["A", "B", "C"]
    assert tags(fake) == {1: "X-1", 2: "X-2", 3: "X-3"}


def test_cut_paste_moves_the_cells_but_not_the_row_metadata(fake):
    post(fake, [{"cutPaste": {"source": {"sheetId": 0, "startRowIndex": 1, "endRowIndex": 2, "startColumnIndex": 0,
                                         "endColumnIndex": 2},
                              "destination": {"sheetId": 0, "rowIndex": 5, "columnIndex": 0}}}])
    assert fake.grid(KEY, TITLE)[5] == ["C", "X-3"] and names(fake)[0] is None
    assert tags(fake) == {1: "X-3", 2: "X-1", 3: "X-2"}


def test_update_and_delete_find_metadata_by_id(fake):
    found = requests.post(f"{fake.url}/v4/spreadsheets/{KEY}/developerMetadata:search", timeout=5, json={
        "dataFilters": [{"developerMetadataLookup": {"metadataValue": "X-1"}}]}).json()
    ident = found["matchedDeveloperMetadata"][0]["developerMetadata"]["metadataId"]
    lookup = {"developerMetadataLookup": {"metadataId": ident}}
    post(fake, [{"updateDeveloperMetadata": {"dataFilters": [lookup], "developerMetadata": {"metadataValue": "X-7"},
                                             "fields": "metadataValue"}}])
    assert tags(fake)[2] == "X-7"
    post(fake, [{"deleteDeveloperMetadata": {"dataFilter": lookup}}])
    assert 2 not in tags(fake)


def test_a_failing_request_leaves_the_metadata_as_it_was(fake):
    post(fake, [{"deleteDimension": {"range": rows_range(1, 2)}}, {"appendDimension": {"sheetId": 0, "length": 0}}],
         status=400)
    assert tags(fake) == {1: "X-3", 2: "X-1", 3: "X-2"}
