"""Running the program: device authorizations, the investigative-use log, suggestion memos,
page administrators and notifications (GO 409 §.04, §.12, §.15)."""
