-- Reference data the service ships with (DOMAIN.md "Categories", "The seasonal rule").
-- Admins edit it through the API afterwards; this migration only seeds an empty database.

INSERT INTO "team" ("key", "name_nb", "name_en", "email") VALUES
  ('payroll',    'Lønn',                    'Payroll',                  'lonnhr@hr-hms.ntnu.no'),
  ('travel',     'Reise',                   'Travel',                   'lonnhr@hr-hms.ntnu.no'),
  ('time',       'Arbeidstid og ferie',     'Working hours and vacation','lonnhr@hr-hms.ntnu.no'),
  ('employment', 'Arbeidsforhold',          'Employment',               'lonnhr@hr-hms.ntnu.no'),
  ('absence',    'Fravær og permisjon',     'Absence and leave',        'lonnhr@hr-hms.ntnu.no'),
  ('service',    'Tjenestesenteret felles', 'Service centre desk',      'lonnhr@hr-hms.ntnu.no');

INSERT INTO "category" ("key", "name_nb", "name_en", "description", "default_team_key", "sensitive", "sort_order", "form") VALUES
  ('travel-expense', 'Reiseregning', 'Travel expense claim', NULL, 'travel', false, 10,
   '{"type":"object","additionalProperties":false,"properties":{"travelDate":{"type":"string","format":"date","title":"Travel date"},"destination":{"type":"string","maxLength":200,"title":"Destination"},"claimNumber":{"type":"string","maxLength":50,"title":"Claim number"}}}'),
  ('working-hours', 'Arbeidstid', 'Working hours', NULL, 'time', false, 20,
   '{"type":"object","additionalProperties":false,"properties":{"period":{"type":"string","pattern":"^[0-9]{4}-[0-9]{2}$","title":"Month (YYYY-MM)"}}}'),
  ('salary', 'Lønn', 'Salary', NULL, 'payroll', false, 30,
   '{"type":"object","additionalProperties":false,"properties":{"period":{"type":"string","pattern":"^[0-9]{4}-[0-9]{2}$","title":"Pay month (YYYY-MM)"},"topic":{"type":"string","enum":["payslip","deduction","overtime","tax","other"],"title":"Topic"}}}'),
  ('employment', 'Arbeidsforhold', 'Employment relationship', 'Leaders file changes of employment here.', 'employment', false, 40,
   '{"type":"object","additionalProperties":false,"properties":{"changeType":{"type":"string","enum":["new","extension","position-change","percentage-change","termination","other"],"title":"Kind of change"},"effectiveDate":{"type":"string","format":"date","title":"Effective from"}}}'),
  ('sickness', 'Sykdom', 'Sickness', 'Holds health data: visible only to the owning team.', 'absence', true, 50,
   '{"type":"object","additionalProperties":false,"properties":{"from":{"type":"string","format":"date","title":"From"},"to":{"type":"string","format":"date","title":"To"}}}'),
  ('vacation', 'Ferie', 'Vacation', 'Including holiday-pay questions.', 'time', false, 60,
   '{"type":"object","additionalProperties":false,"properties":{"year":{"type":"integer","minimum":2000,"maximum":2100,"title":"Vacation year"},"holidayPay":{"type":"boolean","title":"About holiday pay"}}}'),
  ('parental-leave', 'Foreldrepermisjon', 'Parental leave', 'Holds health data: visible only to the owning team.', 'absence', true, 70,
   '{"type":"object","additionalProperties":false,"properties":{"from":{"type":"string","format":"date","title":"From"},"to":{"type":"string","format":"date","title":"To"}}}'),
  ('leave', 'Permisjon', 'Leave of absence', NULL, 'absence', false, 80,
   '{"type":"object","additionalProperties":false,"properties":{"from":{"type":"string","format":"date","title":"From"},"to":{"type":"string","format":"date","title":"To"},"paid":{"type":"boolean","title":"Paid leave"}}}'),
  ('stipend', 'Stipend', 'Stipend', NULL, 'payroll', false, 90, NULL),
  ('feedback', 'Tilbakemeldinger', 'Feedback to the service centre', 'Improvement suggestions.', 'service', false, 100, NULL),
  ('general', 'Generelt kontaktskjema', 'General enquiry', 'Anything else.', 'service', false, 110, NULL);

INSERT INTO "suspension_window" ("id", "from_date", "to_date", "reason", "created_by") VALUES
  ('5b1c7d8e-0000-4000-8000-000000002024', '2024-06-01', '2024-08-31',
   'Summer 2024: absence could make cases close by themselves', 'seed');
